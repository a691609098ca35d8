package io.sidetrack.router.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.core.Topics;
import io.sidetrack.schemas.avro.AgentHeartbeat;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.InMemorySchemaRegistryClient;
import io.sidetrack.schemas.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster view against Kafka's {@code MockConsumer}, which can be cut off from Kafka at will:
 * agents age against the last time the view could read their heartbeats.
 */
@Timeout(30)
class ClusterViewTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Topics.Names TOPICS = Topics.DEFAULT;
  private static final TopicPartition AGENTS = new TopicPartition(TOPICS.agents(), 0);

  private final CuttableConsumer consumer = new CuttableConsumer();
  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
  private final AvroSerde<AgentHeartbeat> agentSerde =
      AvroSerde.forValues(registry, AgentHeartbeat.class);
  private ClusterView view;
  private long agentsOffset;

  @AfterEach
  void close() {
    if (view != null) {
      view.close();
    }
  }

  @Test
  void anAgentIsNotAgedOutWhileTheViewCannotReadKafka() {
    start(Duration.ofSeconds(1), Clock.systemUTC());
    heartbeat("agent-1", "shop", Instant.now());
    await().atMost(WAIT).until(() -> view.liveAgents("shop").size() == 1);

    consumer.cutOff(true);
    await().atMost(WAIT).until(() -> !view.kafkaReachable());
    // longer than the agent timeout, measured on the wall clock
    await().pollDelay(Duration.ofMillis(1_500)).atMost(WAIT).until(() -> true);
    assertThat(view.liveAgents("shop")).as("live while the view cannot read").hasSize(1);

    consumer.cutOff(false);
    await().atMost(WAIT).until(() -> view.liveAgents("shop").isEmpty());
  }

  @Test
  void agentsAgeByTheRouterClockWhileTheViewReads() {
    FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    start(Duration.ofSeconds(10), clock);
    Instant heard = clock.instant();
    heartbeat("agent-1", "shop", heard);
    await().atMost(WAIT).until(() -> view.agents("shop") instanceof Liveness.Live);

    clock.advance(Duration.ofSeconds(15));
    await()
        .atMost(WAIT)
        .until(
            () -> view.agents("shop").equals(new Liveness.Silent(heard, Duration.ofSeconds(15))));

    clock.advance(Duration.ofMinutes(2));
    await().atMost(WAIT).until(() -> view.agents("shop").equals(new Liveness.Unknown()));
  }

  @Test
  void agentsDoNotAgeWhileTheViewIsCutOffFromKafka() {
    FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    start(Duration.ofSeconds(10), clock);
    Instant heard = clock.instant();
    heartbeat("agent-1", "shop", heard);
    await().atMost(WAIT).until(() -> view.agents("shop") instanceof Liveness.Live);

    consumer.cutOff(true);
    await().atMost(WAIT).until(() -> !view.kafkaReachable());
    clock.advance(Duration.ofMinutes(5));
    await()
        .during(Duration.ofMillis(300))
        .atMost(WAIT)
        .until(() -> view.agents("shop") instanceof Liveness.Live);

    // back: it was not heard for five minutes, as far as the view can tell now
    consumer.cutOff(false);
    await().atMost(WAIT).until(() -> view.agents("shop").equals(new Liveness.Unknown()));
  }

  private void start(Duration agentTimeout, Clock clock) {
    Node node = new Node(1, "localhost", 9092);
    for (String topic : List.of(TOPICS.routes(), TOPICS.agents(), TOPICS.audit())) {
      consumer.updatePartitions(
          topic, List.of(new PartitionInfo(topic, 0, node, new Node[] {node}, new Node[] {node})));
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.updateBeginningOffsets(Map.of(tp, 0L));
      consumer.updateEndOffsets(Map.of(tp, 0L));
    }
    view =
        new ClusterView(
            TOPICS,
            AvroSerde.forValues(registry, RouteEntry.class),
            agentSerde,
            AvroSerde.forValues(registry, AuditEvent.class),
            agentTimeout,
            clock,
            batch -> {},
            reader ->
                reader
                    .consumer(() -> consumer)
                    .reachabilityCheck(Duration.ofMillis(20))
                    .backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
    view.start();
    await().atMost(WAIT).until(view::ready);
  }

  private void heartbeat(String agentId, String workload, Instant time) {
    byte[] value =
        agentSerde.serialize(
            TOPICS.agents(),
            AgentHeartbeat.newBuilder()
                .setAgentId(agentId)
                .setWorkload(workload)
                .setPartition(0)
                .setAppliedOffset(0)
                .setReady(true)
                .setRoutes(0)
                .setStartedAt(time)
                .setTime(time)
                .build());
    long offset = agentsOffset++;
    consumer.schedulePollTask(
        () ->
            consumer.addRecord(
                new ConsumerRecord<>(
                    TOPICS.agents(), 0, offset, agentId.getBytes(StandardCharsets.UTF_8), value)));
  }

  /** A clock that moves only when told. */
  private static final class FakeClock extends Clock {
    private volatile Instant now;

    FakeClock(Instant start) {
      now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  /**
   * A mock consumer that, cut off, fetches nothing and times out asking for offsets, as a real one
   * does while its broker is away; its poll waits a little instead of spinning.
   */
  private static final class CuttableConsumer extends MockConsumer<byte[], byte[]> {
    private volatile boolean cutOff;

    CuttableConsumer() {
      super("earliest");
    }

    void cutOff(boolean cut) {
      cutOff = cut;
    }

    @Override
    public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
      try {
        wait(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return cutOff ? ConsumerRecords.empty() : super.poll(timeout);
    }

    @Override
    public synchronized Map<TopicPartition, Long> endOffsets(
        Collection<TopicPartition> partitions, Duration timeout) {
      if (cutOff) {
        throw new TimeoutException("cut off");
      }
      return super.endOffsets(partitions, timeout);
    }
  }
}
