package io.sidetrack.core.audit;

import io.sidetrack.core.Intercept;
import io.sidetrack.core.RouteKeys;
import io.sidetrack.core.routing.Route;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Rebuilds the active intercepts from audit events alone: CREATED and UPDATED make {@code after}
 * active, EXPIRED and REMOVED take the intercept out, REJECTED changes nothing. Feed events in the
 * order they were decided for one workload (the audit topic's order within a partition).
 */
public final class RoutingReplay {
  private final SortedMap<String, Intercept> active = new TreeMap<>();
  private long applied;

  /** Applies one event. */
  public void apply(AuditRecord event) {
    String key = RouteKeys.routeKey(event.workload(), event.interceptId());
    switch (event.kind()) {
      case CREATED, UPDATED -> {
        if (event.after() != null) {
          active.put(key, event.after());
        }
      }
      case EXPIRED, REMOVED -> active.remove(key);
      case REJECTED -> {
        // a refusal leaves routing as it was
      }
    }
    applied++;
  }

  /** How many events were applied. */
  public long applied() {
    return applied;
  }

  /** The active intercepts by {@code workload/interceptId}, sorted. */
  public SortedMap<String, Intercept> active() {
    return Collections.unmodifiableSortedMap(active);
  }

  /** The routes of {@code workload}. */
  public List<Route> routesOf(String workload) {
    return active.subMap(RouteKeys.workloadPrefix(workload), workload + "0").values().stream()
        .map(Route::of)
        .toList();
  }

  /** The routes of every workload, by {@code workload/interceptId}. */
  public Map<String, Route> routes() {
    SortedMap<String, Route> routes = new TreeMap<>();
    active.forEach((k, v) -> routes.put(k, Route.of(v)));
    return routes;
  }
}
