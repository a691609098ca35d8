package io.sidetrack.core;

/**
 * The headers edge agents and routers speak between them when a matched request is relayed to a
 * developer's tunnel.
 */
public final class RelayHeaders {
  private RelayHeaders() {}

  /** Request header naming the intercept a request is relayed for. */
  public static final String INTERCEPT = "sidetrack-intercept-id";

  /** Request header naming the workload a request is relayed from. */
  public static final String WORKLOAD = "sidetrack-workload";

  /**
   * Response header a router sets, with the reason as its value, when it holds no tunnel for the
   * intercept. It answers before sending {@code 100 Continue}, so the agent still has the whole
   * request and sends it to the app.
   */
  public static final String NO_TUNNEL = "sidetrack-no-tunnel";

  /** Response header telling that a matched request went to the app instead, and why. */
  public static final String FALLBACK = "sidetrack-fallback";
}
