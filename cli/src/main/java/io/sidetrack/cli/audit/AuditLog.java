package io.sidetrack.cli.audit;

import io.sidetrack.core.WorkloadPartitioning;
import io.sidetrack.core.audit.AuditRecord;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.serde.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads {@code sidetrack.audit}: all partitions, or only the one a workload's events are in; from a
 * point in time (by {@code offsetsForTimes}, not by scanning) or from the beginning.
 */
public final class AuditLog implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AuditLog.class);

  private final String topic;
  private final KafkaConsumer<String, byte[]> consumer;
  private final AvroSerde<AuditEvent> events;

  public AuditLog(String bootstrapServers, SchemaRegistryClient registry, String topic) {
    this(bootstrapServers, Map.of(), registry, topic);
  }

  /** With extra client settings ({@code --kafka-config}: security). */
  public AuditLog(
      String bootstrapServers,
      Map<String, String> kafkaProperties,
      SchemaRegistryClient registry,
      String topic) {
    this.topic = topic;
    Map<String, Object> props = new HashMap<>(kafkaProperties);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 20_000);
    props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    this.consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    this.events = AvroSerde.forValues(registry, AuditEvent.class);
  }

  /** The audit log of the Sidetrack {@code connection} names. */
  public static AuditLog open(io.sidetrack.cli.context.Connection connection) {
    return new AuditLog(
        connection.bootstrapServers(),
        connection.kafkaProperties(),
        connection.schemaRegistryClient(),
        connection.topics().audit());
  }

  /** The partitions holding {@code workload}'s events, or all when it is {@code null}. */
  List<TopicPartition> partitions(String workload) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(15));
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException(
          "topic " + topic + " not found: has registry-stream ever run on this cluster?");
    }
    if (workload != null) {
      return List.of(
          new TopicPartition(topic, WorkloadPartitioning.partitionOf(workload, infos.size())));
    }
    return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
  }

  /**
   * Calls {@code sink} with every event of {@code workload} (or of all workloads) decided in {@code
   * [since, until]}, in each partition's order, up to the end of the topic as it was when the call
   * began; with {@code follow}, then with new events until {@code keepGoing} says stop.
   */
  public void read(
      Instant since,
      Instant until,
      String workload,
      boolean follow,
      BooleanSupplier keepGoing,
      Consumer<AuditRecord> sink) {
    List<TopicPartition> partitions = partitions(workload);
    consumer.assign(partitions);
    if (since == null) {
      consumer.seekToBeginning(partitions);
    } else {
      Map<TopicPartition, Long> query = new HashMap<>();
      partitions.forEach(p -> query.put(p, since.toEpochMilli()));
      Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(query);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      for (TopicPartition p : partitions) {
        OffsetAndTimestamp at = offsets.get(p);
        consumer.seek(p, at == null ? ends.get(p) : at.offset());
      }
    }
    Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
    long untilMs = until == null ? Long.MAX_VALUE : until.toEpochMilli();
    while (follow ? keepGoing.getAsBoolean() : !caughtUp(ends)) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        if (r.value() == null
            || r.timestamp() > untilMs
            || (workload != null && !workload.equals(r.key()))) {
          continue;
        }
        AuditRecord event;
        try {
          event = AvroMapping.toAuditRecord(events.deserialize(topic, r.value()));
        } catch (RuntimeException e) {
          // a record that is not an audit event (garbage, an unknown schema) is one record lost,
          // not the whole history: say so once per record and read on
          LOG.warn(
              "skipped the record at {}-{}@{}: {}",
              r.topic(),
              r.partition(),
              r.offset(),
              e.getMessage());
          continue;
        }
        if ((since == null || !event.time().isBefore(since))
            && event.time().toEpochMilli() <= untilMs) {
          sink.accept(event);
        }
      }
    }
  }

  /** Every event of {@code workload} (or all) in {@code [since, until]}, sorted by time. */
  public List<AuditRecord> readSorted(Instant since, Instant until, String workload) {
    List<AuditRecord> out = new ArrayList<>();
    read(since, until, workload, false, () -> false, out::add);
    out.sort(java.util.Comparator.comparing(AuditRecord::time));
    return out;
  }

  /** Whether any event ever named {@code workload}: a scan of its partition, for error paths. */
  public boolean knowsWorkload(String workload) {
    List<TopicPartition> partitions = partitions(workload);
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
    while (!caughtUp(ends)) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        if (workload.equals(r.key())) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean caughtUp(Map<TopicPartition, Long> ends) {
    for (var e : ends.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
