package io.sidetrack.core;

/**
 * Keys of per-workload records: {@code workload/interceptId}. Workload names cannot hold a slash,
 * so the workload is everything before the first one.
 */
public final class RouteKeys {
  private RouteKeys() {}

  public static String routeKey(String workload, String interceptId) {
    return workload + "/" + interceptId;
  }

  /** The prefix every key of {@code workload} starts with. */
  public static String workloadPrefix(String workload) {
    return workload + "/";
  }

  /** The workload part of a {@code workload/...} key. */
  public static String workloadOf(String key) {
    int slash = key.indexOf('/');
    return slash < 0 ? key : key.substring(0, slash);
  }

  /** The part after the workload of a {@code workload/...} key. */
  public static String idOf(String key) {
    int slash = key.indexOf('/');
    return slash < 0 ? "" : key.substring(slash + 1);
  }
}
