package io.sidetrack.router.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.Topics;
import io.sidetrack.embedded.Directories;
import io.sidetrack.embedded.EmbeddedKafka;
import io.sidetrack.embedded.Ports;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.AgentHeartbeat;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.InMemorySchemaRegistryClient;
import io.sidetrack.schemas.serde.AvroSerde;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster view on a real broker, topics of its own: a failure never stops it for good, and
 * agents do not age while it cannot read.
 */
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

  @Test
  @Tag("slow") // a broker stopped and started again: about 24 s (ClusterViewTest covers the rule)
  void anAgentIsNotAgedOutWhileItsBrokerIsDownAndAgesOnceTheViewReadsAgain() throws Exception {
    Path dir = Files.createTempDirectory("view-kafka-");
    int port = Ports.free();
    EmbeddedKafka kafka = EmbeddedKafka.start(dir, port, false);
    Topics.Names topics = Topics.DEFAULT.withPrefix("down-" + UUID.randomUUID() + ".");
    InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    AvroSerde<AgentHeartbeat> agents = AvroSerde.forValues(registry, AgentHeartbeat.class);
    Duration agentTimeout = Duration.ofSeconds(10);
    try (ClusterView view =
        new ClusterView(
            kafka.bootstrapServers(),
            Map.of(),
            topics,
            AvroSerde.forValues(registry, RouteEntry.class),
            agents,
            AvroSerde.forValues(registry, AuditEvent.class),
            agentTimeout,
            batch -> {})) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(topics.routes(), 1, (short) 1),
                    new NewTopic(topics.agents(), 1, (short) 1),
                    new NewTopic(topics.audit(), 1, (short) 1)))
            .all()
            .get();
      }
      view.start();
      await().atMost(WAIT).until(view::ready);
      // (a heartbeat's time is in milliseconds)
      Instant heard = Instant.ofEpochMilli(System.currentTimeMillis());
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(
              Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
              new StringSerializer(),
              new ByteArraySerializer())) {
        producer
            .send(
                new ProducerRecord<>(
                    topics.agents(), "agent-1", heartbeat(agents, topics, "agent-1", heard)))
            .get();
      }
      await().atMost(WAIT).until(() -> view.liveAgents("shop").size() == 1);

      kafka.close();
      await().atMost(WAIT).until(() -> !view.kafkaReachable());
      assertThat(Duration.between(heard, Instant.now()))
          .as("noticed before the agent timed out")
          .isLessThan(agentTimeout);
      // past the agent timeout by the wall clock, and the agent is still live
      await()
          .during(agentTimeout.plusSeconds(2))
          .atMost(agentTimeout.plusSeconds(10))
          .until(() -> view.agents("shop") instanceof Liveness.Live);

      kafka = EmbeddedKafka.start(dir, port, false);
      await().atMost(Duration.ofSeconds(60)).until(view::kafkaReachable);
      await().atMost(WAIT).until(() -> view.agents("shop") instanceof Liveness.Silent);
      assertThat(((Liveness.Silent) view.agents("shop")).lastHeard()).isEqualTo(heard);
    } finally {
      kafka.close();
      Directories.deleteRecursively(dir);
    }
  }

  private static byte[] heartbeat(
      AvroSerde<AgentHeartbeat> serde, Topics.Names topics, String agentId, Instant time) {
    return serde.serialize(
        topics.agents(),
        AgentHeartbeat.newBuilder()
            .setAgentId(agentId)
            .setWorkload("shop")
            .setPartition(0)
            .setAppliedOffset(0)
            .setReady(true)
            .setRoutes(0)
            .setStartedAt(time)
            .setTime(time)
            .build());
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
