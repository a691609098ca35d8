package io.sidetrack.edge.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sidetrack.edge.TestRouterKeys;
import io.sidetrack.edge.routing.RouteFeed;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.schemas.avro.AgentHeartbeat;
import io.sidetrack.schemas.heartbeat.Heartbeats;
import io.sidetrack.schemas.registry.InMemorySchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.serde.AvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Heartbeats on a real broker: the agent's tombstone is the last thing it writes. */
@Timeout(120)
class HeartbeatsIT {

  @Test
  void tickInProgressAtCloseSendsNothingAfterTheTombstone() throws Exception {
    String kafka = SharedInfrastructure.kafka();
    String routes = "routes-" + UUID.randomUUID();
    String agents = "agents-" + UUID.randomUUID();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka))) {
      admin
          .createTopics(
              List.of(new NewTopic(routes, 1, (short) 1), new NewTopic(agents, 1, (short) 1)))
          .all()
          .get();
    }
    // the first heartbeat's serialization blocks (its schema registration) until released
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    SchemaRegistryClient registry = new BlockingRegistry(entered, release);
    try (RouteFeed feed =
        new RouteFeed(
            "shop",
            kafka,
            Map.of(),
            routes,
            () -> null,
            TestRouterKeys.TRUSTED,
            new SimpleMeterRegistry())) {
      feed.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> feed.partition() >= 0);
      Heartbeats beats =
          new Heartbeats(
              "agent-1",
              "shop",
              kafka,
              Map.of(),
              agents,
              AvroSerde.forValues(registry, AgentHeartbeat.class),
              Duration.ofMillis(10),
              feed.progress());
      beats.start();
      entered.await();

      CompletableFuture<Void> closing = CompletableFuture.runAsync(beats::close);
      // close waits for the tick it interrupts rather than writing the tombstone under it
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(2))
          .until(() -> !closing.isDone());
      release.countDown();
      closing.get();
    }

    List<ConsumerRecord<String, byte[]>> written = readAll(kafka, agents);
    assertThat(written).isNotEmpty();
    assertThat(written.get(written.size() - 1).value()).as("last record is the tombstone").isNull();
    assertThat(written).hasSize(1);
  }

  private static List<ConsumerRecord<String, byte[]>> readAll(String kafka, String topic) {
    TopicPartition tp = new TopicPartition(topic, 0);
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(
            Map.of("bootstrap.servers", kafka),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
      while (c.position(tp) < end) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      return out;
    }
  }

  /** A registry whose first registration waits, uninterruptibly, until released. */
  private static final class BlockingRegistry implements SchemaRegistryClient {
    private final InMemorySchemaRegistryClient delegate = new InMemorySchemaRegistryClient();
    private final CountDownLatch entered;
    private final CountDownLatch release;

    BlockingRegistry(CountDownLatch entered, CountDownLatch release) {
      this.entered = entered;
      this.release = release;
    }

    @Override
    public int register(String subject, Schema schema) {
      entered.countDown();
      boolean interrupted = false;
      while (true) {
        try {
          release.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return delegate.register(subject, schema);
    }

    @Override
    public Schema schemaById(int id) {
      return delegate.schemaById(id);
    }

    @Override
    public void setCompatibility(String subject, String level) {
      delegate.setCompatibility(subject, level);
    }
  }
}
