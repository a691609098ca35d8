package io.sidetrack.stream.internal;

import io.sidetrack.core.Decision;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.InterceptDecider;
import io.sidetrack.core.InterceptState;
import io.sidetrack.core.InterceptStatus;
import io.sidetrack.core.Limits;
import io.sidetrack.core.RouteKeys;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.avro.AuditKind;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.stream.StoreNames;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Second stage: decides each registration of a workload against that workload's stores, one entry
 * per intercept, so a decision costs a few point lookups whatever the workload's size. Publishes a
 * route entry (or its tombstone) when routing changes and an audit event for every decision but a
 * plain renewal; expires leases on wall-clock punctuation, scanning only the expired ones. Given
 * trusted router keys, a registration no trusted router signed is rejected with the reason in its
 * audit event, and never reaches the routes; a route entry carries its registration's signature.
 */
public final class DecisionProcessor
    implements Processor<String, InterceptRegistration, String, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(DecisionProcessor.class);

  /** Actor of events registry-stream causes on its own (expiries). */
  public static final String SYSTEM_ACTOR = "registry-stream";

  private final InterceptDecider decider;
  private final Duration leaseCheckInterval;
  private final RegistryMetrics metrics;
  private final String routesSink;
  private final String auditSink;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, io.sidetrack.schemas.avro.InterceptState> states;
  private KeyValueStore<String, String> signatures;
  private KeyValueStore<String, String> leases;

  public DecisionProcessor(
      Limits limits,
      Optional<TrustedKeys> trustedRouters,
      Duration leaseCheckInterval,
      RegistryMetrics metrics,
      String routesSink,
      String auditSink) {
    this.decider = new InterceptDecider(limits, trustedRouters);
    this.leaseCheckInterval = leaseCheckInterval;
    this.metrics = metrics;
    this.routesSink = routesSink;
    this.auditSink = auditSink;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.states = context.getStateStore(StoreNames.INTERCEPTS);
    this.signatures = context.getStateStore(StoreNames.SIGNATURES);
    this.leases = context.getStateStore(StoreNames.LEASES);
    context.schedule(leaseCheckInterval, PunctuationType.WALL_CLOCK_TIME, this::expireLeases);
  }

  @Override
  public void process(Record<String, InterceptRegistration> record) {
    String key = record.key();
    Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
    MDC.put("interceptId", RouteKeys.idOf(key));
    try {
      Optional<InterceptState> existing = stateOf(key);
      if (record.value() == null) {
        remove(key, existing, now);
        return;
      }
      Intercept incoming = AvroMapping.toIntercept(record.value());
      if (!incoming.expiresAt().isAfter(now)
          && record.timestamp() < incoming.expiresAt().toEpochMilli()) {
        // written in time but read after its lease ended (no instance decided meanwhile: a
        // takeover after a crash): stale, not invalid. Rejecting it would tell its developer
        // "rejected" and end an intercept the renewals read next still hold; its lease has
        // expired or will, as it would have, and the next renewal decides.
        LOG.debug("Stale registration of {} skipped: its lease ended before it was read", key);
        return;
      }
      decide(key, incoming, existing, now);
    } finally {
      MDC.remove("interceptId");
    }
  }

  private void decide(
      String key, Intercept incoming, Optional<InterceptState> existing, Instant now) {
    String workload = RouteKeys.workloadOf(key);
    Optional<InterceptState> holder =
        Optional.ofNullable(signatures.get(signatureKey(workload, incoming)))
            .flatMap(id -> stateOf(RouteKeys.routeKey(workload, id)));
    Decision decision = decider.decide(incoming, existing, holder, now);
    metrics.decided(decision);
    InterceptState next = decision.next();
    switch (decision.outcome()) {
      case CREATED -> {
        activate(key, next);
        publishRoute(key, next.intercept(), now);
        audit(
            AuditKind.CREATED, incoming.owner(), null, null, next.intercept(), now, workload, key);
        LOG.info(
            "Intercept {} of {} on {} created{}",
            incoming.id(),
            incoming.owner(),
            workload,
            topicsNote(incoming));
      }
      case UPDATED -> {
        deactivate(existing.get());
        activate(key, next);
        publishRoute(key, next.intercept(), now);
        audit(
            AuditKind.UPDATED,
            incoming.owner(),
            null,
            decision.before(),
            next.intercept(),
            now,
            workload,
            key);
        LOG.info("Intercept {} on {} updated{}", incoming.id(), workload, topicsNote(incoming));
      }
      case RENEWED -> {
        leases.delete(leaseKey(existing.get().intercept()));
        leases.put(leaseKey(next.intercept()), "");
        states.put(key, AvroMapping.toAvro(next));
      }
      case REJECTED -> {
        if (!next.isActive()) {
          states.put(key, AvroMapping.toAvro(next));
        }
        audit(
            AuditKind.REJECTED,
            incoming.owner(),
            decision.reason(),
            decision.before(),
            incoming,
            now,
            workload,
            key);
        LOG.info("Intercept {} on {} rejected: {}", incoming.id(), workload, decision.reason());
      }
      case STILL_REJECTED -> states.put(key, AvroMapping.toAvro(next));
    }
  }

  /** {@code " (topics a, b)"} for an intercept that takes records, else empty. */
  private static String topicsNote(Intercept i) {
    return i.topics().isEmpty() ? "" : " (topics " + String.join(", ", i.topics()) + ")";
  }

  private void remove(String key, Optional<InterceptState> existing, Instant now) {
    if (existing.isEmpty()) {
      return;
    }
    states.delete(key);
    InterceptState state = existing.get();
    if (state.isActive()) {
      deactivate(state);
      publishRoute(key, null, now);
      Intercept gone = state.intercept();
      audit(AuditKind.REMOVED, gone.owner(), null, gone, null, now, RouteKeys.workloadOf(key), key);
      metrics.removed();
      LOG.info("Intercept {} on {} removed", gone.id(), gone.workload());
    }
  }

  private void expireLeases(long wallClockMs) {
    Instant now = Instant.ofEpochMilli(wallClockMs);
    String upTo = leasePrefix(wallClockMs) + "\uffff";
    List<KeyValue<String, String>> due = new ArrayList<>();
    try (KeyValueIterator<String, String> it = leases.range("", upTo)) {
      it.forEachRemaining(due::add);
    }
    for (KeyValue<String, String> lease : due) {
      String key = lease.key.substring(lease.key.indexOf('/') + 1);
      leases.delete(lease.key);
      Optional<InterceptState> state = stateOf(key);
      if (state.isEmpty()
          || !state.get().isActive()
          || !InterceptDecider.isExpired(state.get(), now)) {
        continue;
      }
      Intercept gone = state.get().intercept();
      MDC.put("interceptId", gone.id());
      try {
        String reason = "lease expired at " + gone.expiresAt() + " without renewal";
        signatures.delete(signatureKey(gone.workload(), gone));
        states.put(
            key,
            AvroMapping.toAvro(new InterceptState(gone, InterceptStatus.EXPIRED, reason, now)));
        publishRoute(key, null, now);
        audit(AuditKind.EXPIRED, SYSTEM_ACTOR, reason, gone, null, now, gone.workload(), key);
        metrics.expired();
        LOG.info("Intercept {} of {} on {} expired", gone.id(), gone.owner(), gone.workload());
      } finally {
        MDC.remove("interceptId");
      }
    }
  }

  private void activate(String key, InterceptState next) {
    Intercept i = next.intercept();
    states.put(key, AvroMapping.toAvro(next));
    signatures.put(signatureKey(i.workload(), i), i.id());
    leases.put(leaseKey(i), "");
  }

  private void deactivate(InterceptState state) {
    Intercept i = state.intercept();
    String sigKey = signatureKey(i.workload(), i);
    if (i.id().equals(signatures.get(sigKey))) {
      signatures.delete(sigKey);
    }
    leases.delete(leaseKey(i));
  }

  private void publishRoute(String key, Intercept active, Instant now) {
    Object value = active == null ? null : AvroMapping.toRouteEntry(active);
    context.forward(new Record<String, Object>(key, value, now.toEpochMilli()), routesSink);
  }

  private void audit(
      AuditKind kind,
      String actor,
      String reason,
      Intercept before,
      Intercept after,
      Instant now,
      String workload,
      String key) {
    AuditEvent event =
        AuditEvent.newBuilder()
            .setTime(now)
            .setKind(kind)
            .setWorkload(workload)
            .setInterceptId(RouteKeys.idOf(key))
            .setActor(actor == null || actor.isBlank() ? "(unknown)" : actor)
            .setReason(reason)
            .setBefore(before == null ? null : AvroMapping.toRegistration(before))
            .setAfter(after == null ? null : AvroMapping.toRegistration(after))
            .build();
    context.forward(new Record<String, Object>(workload, event, now.toEpochMilli()), auditSink);
  }

  private Optional<InterceptState> stateOf(String key) {
    return Optional.ofNullable(states.get(key)).map(AvroMapping::toState);
  }

  private static String signatureKey(String workload, Intercept intercept) {
    return workload + "/" + intercept.match().signature();
  }

  private static String leaseKey(Intercept i) {
    return leasePrefix(i.expiresAt().toEpochMilli()) + i.routeKey();
  }

  private static String leasePrefix(long epochMillis) {
    return String.format("%013d/", Math.max(0, epochMillis));
  }
}
