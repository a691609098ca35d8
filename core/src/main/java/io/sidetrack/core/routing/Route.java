package io.sidetrack.core.routing;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.trust.RouteSignature;
import java.time.Instant;
import java.util.List;

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
 * @param signature the router's signature of the registration it came from, or {@link
 *     RouteSignature#NONE}
 * @param topics Kafka topics whose records the route takes too (the queue split); empty for an
 *     HTTP-only route
 */
public record Route(
    String interceptId,
    String workload,
    String owner,
    MatchRules match,
    String target,
    Instant createdAt,
    FailureMode failureMode,
    RouteSignature signature,
    List<String> topics) {
  public Route {
    requireNonNull(interceptId, "interceptId");
    requireNonNull(workload, "workload");
    requireNonNull(owner, "owner");
    requireNonNull(match, "match");
    requireNonNull(target, "target");
    requireNonNull(createdAt, "createdAt");
    requireNonNull(failureMode, "failureMode");
    requireNonNull(signature, "signature");
    topics = Intercept.canonicalTopics(topics);
  }

  /** A route of requests only (no topics). */
  public Route(
      String interceptId,
      String workload,
      String owner,
      MatchRules match,
      String target,
      Instant createdAt,
      FailureMode failureMode,
      RouteSignature signature) {
    this(interceptId, workload, owner, match, target, createdAt, failureMode, signature, List.of());
  }

  /** An unsigned route. */
  public Route(
      String interceptId,
      String workload,
      String owner,
      MatchRules match,
      String target,
      Instant createdAt,
      FailureMode failureMode) {
    this(interceptId, workload, owner, match, target, createdAt, failureMode, RouteSignature.NONE);
  }

  /** The route of an active intercept. */
  public static Route of(Intercept i) {
    return new Route(
        i.id(),
        i.workload(),
        i.owner(),
        i.match(),
        i.target(),
        i.createdAt(),
        i.failureMode(),
        i.signature(),
        i.topics());
  }
}
