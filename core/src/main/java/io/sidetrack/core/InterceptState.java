package io.sidetrack.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * The last decision about an intercept.
 *
 * @param intercept the intercept as last decided (for a rejected update of an active intercept: the
 *     active one, which stays)
 * @param status where it stands
 * @param reason why it was rejected or expired, else {@code null}
 * @param decidedAt when the decision was made
 */
public record InterceptState(
    Intercept intercept, InterceptStatus status, String reason, Instant decidedAt) {
  public InterceptState {
    requireNonNull(intercept, "intercept");
    requireNonNull(status, "status");
    requireNonNull(decidedAt, "decidedAt");
  }

  public boolean isActive() {
    return status == InterceptStatus.ACTIVE;
  }
}
