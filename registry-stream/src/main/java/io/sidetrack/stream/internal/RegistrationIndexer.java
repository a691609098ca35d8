package io.sidetrack.stream.internal;

import io.sidetrack.core.RouteKeys;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.stream.StoreNames;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * First stage: reads registrations keyed by intercept id, remembers each id's workload (a tombstone
 * carries none), and re-keys them {@code workload/id} for the by-workload topic. A record that
 * cannot be decoded is logged, counted and copied unchanged to the DLQ.
 */
public final class RegistrationIndexer implements Processor<String, byte[], String, byte[]> {
  private static final Logger LOG = LoggerFactory.getLogger(RegistrationIndexer.class);

  /** Header of a DLQ record that says why it could not be used. */
  public static final String DLQ_REASON_HEADER = "sidetrack-dlq-reason";

  private final Deserializer<InterceptRegistration> registrations;
  private final RegistryMetrics metrics;
  private final String dlqSink;
  private final String byWorkloadSink;
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, String> index;

  public RegistrationIndexer(
      Deserializer<InterceptRegistration> registrations,
      RegistryMetrics metrics,
      String dlqSink,
      String byWorkloadSink) {
    this.registrations = registrations;
    this.metrics = metrics;
    this.dlqSink = dlqSink;
    this.byWorkloadSink = byWorkloadSink;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.index = context.getStateStore(StoreNames.INTERCEPT_INDEX);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String id = record.key();
    if (id == null || id.isEmpty()) {
      deadLetter(record, "record has no key (the key must be the intercept id)");
      return;
    }
    MDC.put("interceptId", id);
    try {
      if (record.value() == null) {
        String workload = index.get(id);
        if (workload != null) {
          index.delete(id);
          context.forward(record.withKey(RouteKeys.routeKey(workload, id)), byWorkloadSink);
        }
        return;
      }
      InterceptRegistration registration;
      try {
        registration =
            registrations.deserialize(
                context.recordMetadata().map(m -> m.topic()).orElse(""), record.value());
      } catch (SerializationException e) {
        deadLetter(record, e.getMessage());
        return;
      }
      if (!id.equals(registration.getId())) {
        deadLetter(
            record,
            "record key '"
                + id
                + "' differs from the registration's id '"
                + registration.getId()
                + "'");
        return;
      }
      String workload = registration.getWorkload();
      String previous = index.get(id);
      if (previous != null && !previous.equals(workload)) {
        // The id moved to another workload: withdraw it from the old one first.
        context.forward(
            new Record<String, byte[]>(RouteKeys.routeKey(previous, id), null, record.timestamp()),
            byWorkloadSink);
      }
      index.put(id, workload);
      context.forward(record.withKey(RouteKeys.routeKey(workload, id)), byWorkloadSink);
    } finally {
      MDC.remove("interceptId");
    }
  }

  private void deadLetter(Record<String, byte[]> record, String why) {
    LOG.warn("Registration {} copied to the DLQ: {}", record.key(), why);
    metrics.deadLettered();
    record.headers().add(DLQ_REASON_HEADER, why.getBytes(StandardCharsets.UTF_8));
    context.forward(record, dlqSink);
  }
}
