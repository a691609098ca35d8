package io.sidetrack.stream.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sidetrack.core.Decision;
import java.util.EnumMap;
import java.util.Map;

/** registry-stream's own counters, registered once and shared by every task. */
public final class RegistryMetrics {
  private final Map<Decision.Outcome, Counter> decisions = new EnumMap<>(Decision.Outcome.class);
  private final Map<Decision.Rejection, Counter> rejections =
      new EnumMap<>(Decision.Rejection.class);
  private final Counter expiries;
  private final Counter removals;
  private final Counter deadLetters;

  public RegistryMetrics(MeterRegistry meters) {
    for (Decision.Outcome outcome : Decision.Outcome.values()) {
      decisions.put(
          outcome,
          Counter.builder("sidetrack.registry.decisions")
              .description("Registrations decided, by outcome")
              .tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
              .register(meters));
    }
    for (Decision.Rejection rejection : Decision.Rejection.values()) {
      rejections.put(
          rejection,
          Counter.builder("sidetrack.registry.rejections")
              .description("Registrations rejected, by reason")
              .tag("reason", rejection.name().toLowerCase(java.util.Locale.ROOT))
              .register(meters));
    }
    expiries =
        Counter.builder("sidetrack.registry.expiries")
            .description("Intercepts whose lease ran out")
            .register(meters);
    removals =
        Counter.builder("sidetrack.registry.removals")
            .description("Active intercepts removed by a tombstone")
            .register(meters);
    deadLetters =
        Counter.builder("sidetrack.registry.dlq.records")
            .description("Registrations that could not be decoded, copied to the DLQ")
            .register(meters);
  }

  void decided(Decision decision) {
    decisions.get(decision.outcome()).increment();
    if (decision.rejection() != null && decision.outcome() == Decision.Outcome.REJECTED) {
      rejections.get(decision.rejection()).increment();
    }
  }

  void expired() {
    expiries.increment();
  }

  void removed() {
    removals.increment();
  }

  void deadLettered() {
    deadLetters.increment();
  }
}
