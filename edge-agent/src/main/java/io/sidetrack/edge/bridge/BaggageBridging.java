package io.sidetrack.edge.bridge;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sidetrack.core.baggage.BaggageBridge;
import io.sidetrack.core.baggage.BaggageBridge.Merge;
import io.sidetrack.core.baggage.BaggageBridge.Outcome;
import io.sidetrack.core.routing.Route;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Baggage bridging as the agent runs it ({@code --bridge-baggage}): the cheap test both request
 * paths make before they read any baggage, core's {@link BaggageBridge} for the rest, and the
 * counters. A path asks after the {@link io.sidetrack.edge.dispatch.Dispatcher} decided where the
 * request goes, and writes the member into the head it sends there. Thread-safe.
 */
public final class BaggageBridging {
  private final boolean enabled;
  private final Counter bridged;
  private final Map<Outcome, Counter> skipped = new EnumMap<>(Outcome.class);

  /** Bridging when {@code enabled}, counted in {@code meters}. */
  public BaggageBridging(boolean enabled, MeterRegistry meters) {
    requireNonNull(meters, "meters");
    this.enabled = enabled;
    this.bridged =
        Counter.builder("sidetrack.agent.baggage.bridged")
            .description("Request heads sent on with the sidetrack-id baggage member added")
            .register(meters);
    for (Outcome outcome : Outcome.values()) {
      if (outcome != Outcome.ADDED && outcome != Outcome.PRESENT) {
        skipped.put(
            outcome,
            Counter.builder("sidetrack.agent.baggage.skipped")
                .description("Request heads sent on without the member, as it would break a limit")
                .tag("reason", outcome.label())
                .register(meters));
      }
    }
  }

  /** Whether bridging is on at all. */
  public boolean enabled() {
    return enabled;
  }

  /**
   * Whether a request may get the member: bridging is on, and the request carries {@code
   * x-sidetrack-id} ({@code hasIdHeader}) or goes to the router of {@code served}. False costs the
   * request nothing more: its baggage is never read.
   */
  public boolean applies(boolean hasIdHeader, Route served) {
    return enabled && (hasIdHeader || served != null);
  }

  /**
   * The member a request that {@link #applies} gets, or null when it gets none (no id to bridge,
   * the member already there, or a limit in the way: counted).
   *
   * @param baggage the values of the {@code baggage} fields it sends on, in order
   * @param idHeaderValues its {@code x-sidetrack-id} values
   * @param served the route whose router it goes to, or null when it goes to the app
   * @param headRoom how many bytes its head may still grow by on this path
   */
  public Merge merge(
      List<String> baggage, List<String> idHeaderValues, Route served, int headRoom) {
    String id = BaggageBridge.idFor(idHeaderValues, served);
    if (id == null) {
      return null;
    }
    Merge merge = BaggageBridge.merge(baggage, id, headRoom);
    Counter counter = merge.added() ? bridged : skipped.get(merge.outcome());
    if (counter != null) {
      counter.increment();
    }
    return merge.added() ? merge : null;
  }
}
