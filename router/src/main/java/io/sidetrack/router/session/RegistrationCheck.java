package io.sidetrack.router.session;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.InterceptValidator;
import io.sidetrack.core.trust.RouteSignature;
import io.sidetrack.router.auth.Tokens.Identity;
import io.sidetrack.router.cluster.ClusterState;
import io.sidetrack.router.cluster.ClusterView.RouteAt;
import io.sidetrack.router.cluster.Liveness;
import io.sidetrack.tunnel.InterceptSpec;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Whether the intercept a CLI asks for may be registered: the token allows the workload, a live
 * agent reports it (while its agents are {@link Liveness.Silent}, it waits), nobody else owns the
 * id, and the validator accepts it. Pure, given the view.
 */
final class RegistrationCheck {
  /** The outcome. */
  sealed interface Outcome {}

  /** The view is not ready yet: ask again shortly. */
  record NotYet(String detail) implements Outcome {}

  /** Refused, for the reason given. */
  record Refused(String reason) implements Outcome {}

  /** Accepted: the registration to publish. */
  record Accepted(Intercept intercept) implements Outcome {}

  private RegistrationCheck() {}

  static Outcome check(
      InterceptSpec spec,
      Identity who,
      ClusterState view,
      InterceptValidator validator,
      String advertised,
      String agentsTopic) {
    Optional<String> forbidden = forbiddenWorkload(spec.workload(), who);
    if (forbidden.isPresent()) {
      return new Refused(forbidden.get());
    }
    if (!view.ready()) {
      return new NotYet("the router is still reading the cluster's state");
    }
    Liveness agents = view.agents(spec.workload());
    if (agents instanceof Liveness.Silent silent) {
      // agents that stopped without a tombstone: a broker failing over (their heartbeats are held
      // up), or agents restarting. Wait rather than refuse.
      return new NotYet(silent.describe(spec.workload()) + "; waiting for one");
    }
    if (agents instanceof Liveness.Unknown) {
      return new Refused(
          "unknown workload '"
              + spec.workload()
              + "': no live edge agent reports it in "
              + agentsTopic);
    }
    Optional<RouteAt> existing = view.route(spec.id());
    Optional<String> taken = othersIntercept(spec.id(), who, view);
    if (taken.isPresent()) {
      return new Refused(taken.get());
    }
    Instant now = Instant.now();
    Intercept candidate =
        new Intercept(
            spec.id(),
            spec.workload(),
            who.name(),
            spec.match(),
            advertised,
            existing.map(r -> r.route().createdAt()).orElse(now),
            now.plus(spec.ttl()),
            spec.failClosed() ? FailureMode.FAIL_CLOSED : FailureMode.FAIL_OPEN,
            Map.of(),
            RouteSignature.NONE,
            spec.topics());
    Optional<String> problem = validator.problem(candidate, now);
    return problem.<Outcome>map(Refused::new).orElseGet(() -> new Accepted(candidate));
  }

  /** Why {@code who} may not intercept {@code workload}, or empty when the token allows it. */
  static Optional<String> forbiddenWorkload(String workload, Identity who) {
    if (who.mayIntercept(workload)) {
      return Optional.empty();
    }
    return Optional.of(
        "the token of "
            + who.name()
            + " may not intercept workload '"
            + workload
            + "' (it may intercept: "
            + who.allowed()
            + ")");
  }

  /**
   * Why {@code who} may not take intercept {@code id}: someone else owns it in the view; empty when
   * nobody else does (or the view does not know yet).
   */
  static Optional<String> othersIntercept(String id, Identity who, ClusterState view) {
    return view.route(id)
        .map(r -> r.route().owner())
        .filter(owner -> !owner.equals(who.name()))
        .map(owner -> "intercept id " + id + " belongs to " + owner);
  }
}
