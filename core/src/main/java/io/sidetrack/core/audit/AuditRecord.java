package io.sidetrack.core.audit;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.Intercept;
import java.time.Instant;

/**
 * One routing decision as {@code sidetrack.audit} records it: the core form of an {@code
 * AuditEvent}.
 *
 * @param time when registry-stream decided
 * @param kind what it decided
 * @param workload the workload
 * @param interceptId the intercept
 * @param actor who caused it: the owner, or {@code registry-stream} for expiries
 * @param reason why it was rejected or expired, else {@code null}
 * @param before the active intercept before the decision, or {@code null}
 * @param after the intercept after the decision (for REJECTED the refused registration), or {@code
 *     null}
 */
public record AuditRecord(
    Instant time,
    Kind kind,
    String workload,
    String interceptId,
    String actor,
    String reason,
    Intercept before,
    Intercept after) {

  /** The kinds of decision. */
  public enum Kind {
    /** A new intercept became active; {@code after} is it. */
    CREATED,
    /** An active intercept changed its routing; {@code before} and {@code after}. */
    UPDATED,
    /** A registration was refused; routing did not change. */
    REJECTED,
    /** A lease ran out; {@code before} left routing. */
    EXPIRED,
    /** A tombstone removed {@code before} from routing. */
    REMOVED
  }

  public AuditRecord {
    requireNonNull(time, "time");
    requireNonNull(kind, "kind");
    requireNonNull(workload, "workload");
    requireNonNull(interceptId, "interceptId");
    requireNonNull(actor, "actor");
  }

  /** The owner of the intercept the event is about. */
  public String owner() {
    if (after != null) {
      return after.owner();
    }
    return before != null ? before.owner() : actor;
  }
}
