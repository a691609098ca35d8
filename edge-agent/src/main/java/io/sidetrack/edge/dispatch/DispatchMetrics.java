package io.sidetrack.edge.dispatch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/** The agent's routing counters: requests by where they went, fallbacks by reason, fail-closed. */
public final class DispatchMetrics {
  private final Counter toApp;
  private final Counter toIntercept;
  private final Counter failClosed;
  private final Map<FallbackReason, Counter> fallbacks = new EnumMap<>(FallbackReason.class);

  public DispatchMetrics(MeterRegistry meters) {
    this.toApp = requests(meters, "app");
    this.toIntercept = requests(meters, "intercept");
    this.failClosed =
        Counter.builder("sidetrack.agent.fail.closed")
            .description("Matched requests answered 503 because their tunnel was unreachable")
            .register(meters);
    for (FallbackReason reason : FallbackReason.values()) {
      fallbacks.put(
          reason,
          Counter.builder("sidetrack.agent.fallbacks")
              .description("Matched requests sent to the app because the tunnel was unreachable")
              .tag("reason", reason.label())
              .register(meters));
    }
  }

  private static Counter requests(MeterRegistry meters, String destination) {
    return Counter.builder("sidetrack.agent.requests")
        .description("Requests by where they went")
        .tag("destination", destination)
        .register(meters);
  }

  void app() {
    toApp.increment();
  }

  void intercept() {
    toIntercept.increment();
  }

  void fallback(FallbackReason reason) {
    fallbacks.get(reason).increment();
  }

  void failClosed() {
    failClosed.increment();
  }
}
