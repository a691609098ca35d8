package io.sidetrack.router.session;

import io.sidetrack.core.Intercept;
import io.sidetrack.core.routing.Route;
import io.sidetrack.router.cluster.ClusterView;
import io.sidetrack.router.cluster.ClusterView.RouteAt;
import java.util.List;
import java.util.Optional;

/**
 * When an intercept is active: registry-stream accepted it as last published, and every live agent
 * of its workload applied the route entry (read past its offset in its partition).
 */
final class Activation {
  /** How far activation got. */
  record Progress(boolean accepted, long applied, int agents) {
    boolean active() {
      return accepted && applied >= agents;
    }
  }

  private Activation() {}

  static Progress of(Intercept intercept, ClusterView view) {
    Optional<RouteAt> at = view.route(intercept.id());
    if (at.isEmpty() || !routes(at.get().route(), intercept)) {
      return new Progress(false, 0, 0);
    }
    List<ClusterView.Agent> agents = view.liveAgents(intercept.workload());
    long applied =
        agents.stream()
            .filter(
                a -> a.partition() != at.get().partition() || a.appliedOffset() > at.get().offset())
            .count();
    return new Progress(true, applied, agents.size());
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
