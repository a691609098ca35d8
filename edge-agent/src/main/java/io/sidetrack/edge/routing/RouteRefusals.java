package io.sidetrack.edge.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sidetrack.core.trust.Verification;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts and logs the routes an agent refused because no trusted router signed them: counted in
 * {@code sidetrack_agent_routes_refused_total{reason}} every time, logged once per intercept id and
 * reason (a flood of forged records makes one line per id, and at most {@link #MAX_REMEMBERED} ids
 * are remembered before the memory starts over). Thread-safe: the reader, the event loops and the
 * background check of {@link RouteTrust} all refuse.
 */
final class RouteRefusals {
  private static final Logger LOG = LoggerFactory.getLogger(RouteRefusals.class);

  /** How many refused intercept ids are remembered so as not to log them again. */
  static final int MAX_REMEMBERED = 10_000;

  private final String workload;
  private final Map<Verification.Refusal, Counter> counters =
      new EnumMap<>(Verification.Refusal.class);
  private final Set<String> logged = new HashSet<>();

  RouteRefusals(String workload, MeterRegistry meters) {
    this.workload = workload;
    for (Verification.Refusal r : Verification.Refusal.values()) {
      counters.put(
          r,
          Counter.builder("sidetrack.agent.routes.refused")
              .description(
                  "Route entries refused because no trusted router signed them, by reason; their"
                      + " requests go where they would without them")
              .tag("reason", r.tag())
              .register(meters));
    }
  }

  /** Records that the route of {@code interceptId} was refused for {@code why}. */
  synchronized void refused(String interceptId, String target, Verification why) {
    counters.get(why.refusal()).increment();
    if (logged.size() >= MAX_REMEMBERED) {
      logged.clear();
    }
    if (logged.add(interceptId + "\u0000" + why.refusal())) {
      LOG.warn(
          "Route {}/{} to {} refused, not applied: {} (logged once per intercept id)",
          workload,
          interceptId,
          target,
          why.reason());
    }
  }
}
