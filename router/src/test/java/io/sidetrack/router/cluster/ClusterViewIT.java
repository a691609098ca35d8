package io.sidetrack.router.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.Topics;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.AgentHeartbeat;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.InMemorySchemaRegistryClient;
import io.sidetrack.schemas.serde.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The cluster view on a real broker, topics of its own: a failure never stops it for good. */
@Timeout(120)
class ClusterViewIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void viewKeepsReadingAfterARecordOrTheListenerFails() throws Exception {
    String kafka = SharedInfrastructure.kafka();
    Topics.Names topics = Topics.DEFAULT.withPrefix("view-" + UUID.randomUUID() + ".");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topics.routes(), 2, (short) 1),
                  new NewTopic(topics.agents(), 1, (short) 1),
                  new NewTopic(topics.audit(), 1, (short) 1)))
          .all()
          .get();
    }
    InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    AvroSerde<RouteEntry> routes = AvroSerde.forValues(registry, RouteEntry.class);
    AtomicInteger batches = new AtomicInteger();
    try (KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka),
                new StringSerializer(),
                new ByteArraySerializer());
        ClusterView view =
            new ClusterView(
                kafka,
                Map.of(),
                topics,
                routes,
                AvroSerde.forValues(registry, AgentHeartbeat.class),
                AvroSerde.forValues(registry, AuditEvent.class),
                Duration.ofSeconds(30),
                batch -> {
                  if (batches.incrementAndGet() == 1) {
                    throw new IllegalStateException("listener failed");
                  }
                })) {
      view.start();
      await().atMost(WAIT).until(view::ready);

      producer
          .send(new ProducerRecord<>(topics.routes(), 0, "shop/i-1", bytes(routes, topics, "i-1")))
          .get();
      await().atMost(WAIT).until(() -> batches.get() >= 1);
      producer
          .send(new ProducerRecord<>(topics.routes(), 0, "shop/i-bad", new byte[] {0, 0, 0, 0, 42}))
          .get();
      producer
          .send(new ProducerRecord<>(topics.routes(), 1, "cart/i-2", bytes(routes, topics, "i-2")))
          .get();

      await().atMost(WAIT).until(() -> view.route("i-2").isPresent());
      assertThat(view.route("i-1")).isPresent();
      assertThat(view.route("i-bad")).isEmpty();
      assertThat(view.route("i-2").get().partition()).isEqualTo(1);
      assertThat(batches.get()).isGreaterThanOrEqualTo(2);
    }
  }

  private static byte[] bytes(AvroSerde<RouteEntry> serde, Topics.Names topics, String id) {
    Instant now = Instant.now();
    return serde.serialize(
        topics.routes(),
        AvroMapping.toRouteEntry(
            new Intercept(
                id,
                id.equals("i-2") ? "cart" : "shop",
                "alice",
                MatchRules.header("x-dev", "alice"),
                "127.0.0.1:9",
                now,
                now.plusSeconds(60),
                FailureMode.FAIL_OPEN,
                Map.of())));
  }
}
