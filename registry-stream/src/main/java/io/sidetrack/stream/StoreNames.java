package io.sidetrack.stream;

/** Names of registry-stream's state stores, as queried by the HTTP API. */
public final class StoreNames {
  private StoreNames() {}

  /** Intercept id → workload, partitioned like {@code sidetrack.intercepts} (by id). */
  public static final String INTERCEPT_INDEX = "intercept-index";

  /** {@code workload/interceptId} → last decision ({@code InterceptState}), by workload. */
  public static final String INTERCEPTS = "intercepts";

  /** {@code workload/signature} → id of the active intercept holding that match, by workload. */
  public static final String SIGNATURES = "signatures";

  /** {@code expiresAtMillis(13 digits)/workload/interceptId} → "", leases in expiry order. */
  public static final String LEASES = "leases";
}
