package io.sidetrack.core;

/** What an edge agent does with a matched request when the developer's tunnel is unreachable. */
public enum FailureMode {
  /** Send the request to the workload's own app. */
  FAIL_OPEN,
  /** Answer 503 with the reason and {@code Retry-After}. */
  FAIL_CLOSED
}
