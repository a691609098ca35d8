package io.sidetrack.core;

/**
 * The names that carry a developer's id to a workload: the default personal intercept takes
 * requests with header {@value #HEADER} or W3C baggage member {@value #BAGGAGE_KEY} set to the
 * developer's value, and the edge agent bridges the one into the other.
 */
public final class SidetrackId {
  /** The header of the default personal intercept, lower-case. */
  public static final String HEADER = "x-sidetrack-id";

  /** The W3C baggage member of the default personal intercept. */
  public static final String BAGGAGE_KEY = "sidetrack-id";

  private SidetrackId() {}
}
