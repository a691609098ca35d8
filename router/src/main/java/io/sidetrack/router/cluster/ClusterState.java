package io.sidetrack.router.cluster;

import io.sidetrack.router.cluster.ClusterView.RouteAt;
import java.util.Optional;

/**
 * What a tunnel session decides by: whether the view read the cluster once, the route entries, and
 * the one answer on a workload's edge agents. {@link ClusterView} is it.
 */
public interface ClusterState {
  /** Whether routes and agents were read to the end once. */
  boolean ready();

  /** The route entry of an intercept. */
  Optional<RouteAt> route(String interceptId);

  /** What can be said of {@code workload}'s edge agents. */
  Liveness agents(String workload);
}
