package io.sidetrack.router.session;

import io.sidetrack.core.Intercept;
import io.sidetrack.core.routing.Route;
import io.sidetrack.router.cluster.ClusterState;
import io.sidetrack.router.cluster.ClusterView.RouteAt;
import io.sidetrack.router.cluster.Rollout;
import java.util.Optional;

/**
 * When an intercept is active: registry-stream accepted it as last published, at least one agent of
 * its workload is live, and every live one applied the route entry ({@link Rollout}).
 */
final class Activation {
  private Activation() {}

  /**
   * How far the intercept got with its workload's agents; empty until registry-stream accepted it
   * as last published.
   */
  static Optional<Rollout> of(Intercept intercept, ClusterState view) {
    Optional<RouteAt> at = view.route(intercept.id());
    if (at.isEmpty() || !routes(at.get().route(), intercept)) {
      return Optional.empty();
    }
    return Optional.of(Rollout.of(at.get(), view.agents(intercept.workload())));
  }

  /** Whether a route entry is the intercept as last published. */
  private static boolean routes(Route r, Intercept intercept) {
    return r.target().equals(intercept.target())
        && r.owner().equals(intercept.owner())
        && r.match().equals(intercept.match())
        && r.failureMode() == intercept.failureMode()
        && r.topics().equals(intercept.topics());
  }
}
