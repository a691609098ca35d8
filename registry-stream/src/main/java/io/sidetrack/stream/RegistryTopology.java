package io.sidetrack.stream;

import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.avro.InterceptState;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.serde.AvroSerde;
import io.sidetrack.stream.internal.DecisionProcessor;
import io.sidetrack.stream.internal.RegistrationIndexer;
import io.sidetrack.stream.internal.RegistryMetrics;
import io.sidetrack.stream.internal.WorkloadPartitioner;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The registry-stream topology.
 *
 * <pre>
 * sidetrack.intercepts (by id)
 *   → index: id → workload; undecodable → sidetrack.intercepts.dlq
 *   → sidetrack.intercepts.by-workload (key workload/id, partitioned by workload)
 *   → decide against the workload's stores; expire leases on wall-clock punctuation
 *   → sidetrack.routes (key workload/id, by workload)  and  sidetrack.audit (key workload)
 * </pre>
 */
public final class RegistryTopology {
  static final String INTERCEPTS_SOURCE = "intercepts-source";
  static final String INDEXER = "index-registrations";
  static final String DLQ_SINK = "dlq-sink";
  static final String BY_WORKLOAD_SINK = "by-workload-sink";
  static final String BY_WORKLOAD_SOURCE = "by-workload-source";
  static final String DECIDER = "decide-intercepts";
  static final String ROUTES_SINK = "routes-sink";
  static final String AUDIT_SINK = "audit-sink";

  private RegistryTopology() {}

  /** Builds the topology; used by the application and by {@code TopologyTestDriver} tests. */
  public static Topology build(TopologySettings settings) {
    var topics = settings.topics();
    var registrations = AvroSerde.forValues(settings.schemaRegistry(), InterceptRegistration.class);
    var states = AvroSerde.forValues(settings.schemaRegistry(), InterceptState.class);
    var routes = AvroSerde.forValues(settings.schemaRegistry(), RouteEntry.class);
    var audits = AvroSerde.forValues(settings.schemaRegistry(), AuditEvent.class);
    var metrics = new RegistryMetrics(settings.meters());

    Topology topology = new Topology();
    topology.addSource(
        INTERCEPTS_SOURCE,
        new StringDeserializer(),
        new ByteArrayDeserializer(),
        topics.intercepts());
    topology.addProcessor(
        INDEXER,
        () -> new RegistrationIndexer(registrations, metrics, DLQ_SINK, BY_WORKLOAD_SINK),
        INTERCEPTS_SOURCE);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(StoreNames.INTERCEPT_INDEX),
            Serdes.String(),
            Serdes.String()),
        INDEXER);
    topology.addSink(
        DLQ_SINK,
        topics.interceptsDlq(),
        new StringSerializer(),
        new ByteArraySerializer(),
        INDEXER);
    topology.addSink(
        BY_WORKLOAD_SINK,
        topics.interceptsByWorkload(),
        new StringSerializer(),
        new ByteArraySerializer(),
        new WorkloadPartitioner<>(),
        INDEXER);

    topology.addSource(
        BY_WORKLOAD_SOURCE,
        new StringDeserializer(),
        registrations.deserializer(),
        topics.interceptsByWorkload());
    topology.addProcessor(
        DECIDER,
        () ->
            new DecisionProcessor(
                settings.limits(),
                settings.trustedRouters(),
                settings.leaseCheckInterval(),
                metrics,
                ROUTES_SINK,
                AUDIT_SINK),
        BY_WORKLOAD_SOURCE);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(StoreNames.INTERCEPTS), Serdes.String(), states),
        DECIDER);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(StoreNames.SIGNATURES),
            Serdes.String(),
            Serdes.String()),
        DECIDER);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(StoreNames.LEASES), Serdes.String(), Serdes.String()),
        DECIDER);
    topology.addSink(
        ROUTES_SINK,
        topics.routes(),
        new StringSerializer(),
        routes.serializer(),
        new WorkloadPartitioner<>(),
        DECIDER);
    topology.addSink(
        AUDIT_SINK, topics.audit(), new StringSerializer(), audits.serializer(), DECIDER);
    return topology;
  }
}
