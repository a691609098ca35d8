package io.sidetrack.core;

/** Names of every Kafka topic Sidetrack reads or writes. */
public final class Topics {
  private Topics() {}

  /** Registrations; key intercept id, value {@code InterceptRegistration}; compacted. */
  public static final String INTERCEPTS = "sidetrack.intercepts";

  /** Registrations that could not be decoded, copied byte for byte; append-only. */
  public static final String INTERCEPTS_DLQ = "sidetrack.intercepts.dlq";

  /**
   * Registrations re-keyed {@code workload/interceptId} and partitioned by workload, so that one
   * registry-stream task sees all of a workload's intercepts; compacted.
   */
  public static final String INTERCEPTS_BY_WORKLOAD = "sidetrack.intercepts.by-workload";

  /** Route entries; key {@code workload/interceptId}, partitioned by workload; compacted. */
  public static final String ROUTES = "sidetrack.routes";

  /** Edge agent heartbeats; key agent id; compacted. */
  public static final String AGENTS = "sidetrack.agents";

  /** Audit events; key workload; append-only, long retention. */
  public static final String AUDIT = "sidetrack.audit";

  /** The default names. */
  public static final Names DEFAULT =
      new Names(INTERCEPTS, INTERCEPTS_DLQ, INTERCEPTS_BY_WORKLOAD, ROUTES, AGENTS, AUDIT);

  /**
   * The topic names one deployment uses: the defaults, or the defaults behind a prefix so that
   * several deployments (or tests) share one cluster.
   */
  public record Names(
      String intercepts,
      String interceptsDlq,
      String interceptsByWorkload,
      String routes,
      String agents,
      String audit) {

    /** These names with {@code prefix} in front ({@code ""} leaves them as they are). */
    public Names withPrefix(String prefix) {
      return new Names(
          prefix + intercepts,
          prefix + interceptsDlq,
          prefix + interceptsByWorkload,
          prefix + routes,
          prefix + agents,
          prefix + audit);
    }
  }
}
