package io.sidetrack.core;

import static java.util.Objects.requireNonNull;

/**
 * What registry-stream does with one registration.
 *
 * @param outcome the kind of decision
 * @param next the state to store for the registration's id
 * @param before the active intercept it replaces or keeps, or {@code null}
 * @param reason why it was rejected, or {@code null} when accepted
 * @param rejection the kind of rejection, or {@code null} when accepted
 */
public record Decision(
    Outcome outcome, InterceptState next, Intercept before, String reason, Rejection rejection) {

  /** Kinds of rejection, a small fixed set fit for metric labels. */
  public enum Rejection {
    /** The registration breaks a rule on its own (name, regex, lease, bounds). */
    INVALID,
    /** Another owner holds the intercept id. */
    NOT_OWNER,
    /** Another active intercept of the workload has the same match. */
    CONFLICT,
    /** No trusted router signed it (unsigned, unknown key, or a signature that does not match). */
    UNTRUSTED
  }

  /** The kinds of decision, and what each publishes. */
  public enum Outcome {
    /** A new active intercept: route entry and audit event. */
    CREATED,
    /** An active intercept changed its routing: route entry and audit event. */
    UPDATED,
    /** Only the lease moved: nothing is published. */
    RENEWED,
    /** Refused: an audit event with the reason, no route change. */
    REJECTED,
    /** The same refusal as last time (a renewal of a rejected registration): nothing published. */
    STILL_REJECTED
  }

  public Decision {
    requireNonNull(outcome, "outcome");
    requireNonNull(next, "next");
  }
}
