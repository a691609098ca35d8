package io.sidetrack.core.routing;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import java.time.Instant;

/**
 * One active intercept in the form routing needs: what it takes and where it sends it.
 *
 * @param interceptId the intercept
 * @param workload its workload
 * @param owner the developer
 * @param match what it takes
 * @param target the router that relays to the developer's tunnel
 * @param createdAt first registration; ties between equally specific routes go to the older
 * @param failureMode what to do when the target is unreachable
 */
public record Route(
    String interceptId,
    String workload,
    String owner,
    MatchRules match,
    String target,
    Instant createdAt,
    FailureMode failureMode) {
  public Route {
    requireNonNull(interceptId, "interceptId");
    requireNonNull(workload, "workload");
    requireNonNull(owner, "owner");
    requireNonNull(match, "match");
    requireNonNull(target, "target");
    requireNonNull(createdAt, "createdAt");
    requireNonNull(failureMode, "failureMode");
  }

  /** The route of an active intercept. */
  public static Route of(Intercept i) {
    return new Route(
        i.id(), i.workload(), i.owner(), i.match(), i.target(), i.createdAt(), i.failureMode());
  }
}
