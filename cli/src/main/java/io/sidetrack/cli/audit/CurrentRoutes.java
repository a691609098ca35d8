package io.sidetrack.cli.audit;

import io.sidetrack.core.RouteKeys;
import io.sidetrack.core.WorkloadPartitioning;
import io.sidetrack.core.routing.Route;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.serde.AvroSerde;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** A workload's routes now, read as an edge agent reads them: its partition of the routes topic. */
final class CurrentRoutes {
  private CurrentRoutes() {}

  static List<Route> of(
      String bootstrapServers,
      Map<String, String> kafkaProperties,
      SchemaRegistryClient registry,
      String topic,
      String workload) {
    Map<String, Object> props = new HashMap<>(kafkaProperties);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    var entries = AvroSerde.forValues(registry, RouteEntry.class);
    try (var consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(15));
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException(
            "topic " + topic + " not found: has registry-stream ever run on this cluster?");
      }
      TopicPartition partition =
          new TopicPartition(topic, WorkloadPartitioning.partitionOf(workload, infos.size()));
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      String prefix = RouteKeys.workloadPrefix(workload);
      Map<String, Route> routes = new TreeMap<>();
      while (consumer.position(partition) < end) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key() == null || !r.key().startsWith(prefix)) {
            continue;
          }
          if (r.value() == null) {
            routes.remove(r.key());
          } else {
            routes.put(r.key(), AvroMapping.toRoute(entries.deserialize(topic, r.value())));
          }
        }
      }
      return List.copyOf(routes.values());
    }
  }
}
