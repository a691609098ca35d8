package io.sidetrack.edge.dispatch;

import java.nio.charset.StandardCharsets;

/**
 * Why a matched request did not reach its developer's tunnel: the value of the {@code
 * sidetrack-fallback} field on the answer, and the {@code reason} tag of the fallback metric.
 */
public enum FallbackReason {
  /** The router's circuit is open after consecutive failures; it was not tried. */
  ROUTER_CIRCUIT_OPEN("router-circuit-open"),
  /** The route names a router address that cannot be parsed. */
  BAD_ROUTER_ADDRESS("bad-router-address"),
  /** No connection to the router could be made. */
  ROUTER_UNREACHABLE("router-unreachable"),
  /** The router's connection failed before any of the answer came. */
  ROUTER_FAILED("router-failed"),
  /** The router is up but holds no tunnel for the intercept. */
  NO_TUNNEL("no-tunnel");

  private final String label;
  private final byte[] ascii;

  FallbackReason(String label) {
    this.label = label;
    this.ascii = label.getBytes(StandardCharsets.US_ASCII);
  }

  /** The reason as it appears on the wire and in metrics. */
  public String label() {
    return label;
  }

  /** {@link #label()} as ASCII bytes, for the byte-level front; do not modify. */
  public byte[] ascii() {
    return ascii;
  }
}
