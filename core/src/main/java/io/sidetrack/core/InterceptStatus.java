package io.sidetrack.core;

/** Where an intercept stands after registry-stream decided it. */
public enum InterceptStatus {
  /** Accepted: its route entry is published. */
  ACTIVE,
  /** Refused; the reason says why. Nothing is routed. */
  REJECTED,
  /** Its lease ran out without renewal; its route entry was withdrawn. */
  EXPIRED
}
