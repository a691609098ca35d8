package io.sidetrack.edge.status;

import io.sidetrack.edge.routing.RouteFeed;
import io.sidetrack.schemas.avro.AgentHeartbeat;
import io.sidetrack.schemas.serde.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the agent to {@code sidetrack.agents}: its workload and the offset of {@code
 * sidetrack.routes} it applied, every interval and whenever that offset moves; a tombstone when it
 * stops, so the control plane knows which live agents applied which route entries.
 */
public final class Heartbeats implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeats.class);
  private static final long CHECK_MS = 100;

  /** How long close waits for a tick in progress before it writes the tombstone regardless. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final String agentId;
  private final String workload;
  private final String topic;
  private final RouteFeed feed;
  private final AvroSerde<AgentHeartbeat> serde;
  private final KafkaProducer<String, byte[]> producer;
  private final ScheduledExecutorService timer;
  private final Instant startedAt = Instant.now();
  private final long intervalNanos;
  private long lastSentNanos;
  private long lastOffset = -1;
  private boolean lastReady;

  /** Guards {@code closed} and every send: no heartbeat is written once close has begun. */
  private final Object sending = new Object();

  private boolean closed;

  public Heartbeats(
      String agentId,
      String workload,
      String bootstrapServers,
      Map<String, String> kafkaProperties,
      String topic,
      RouteFeed feed,
      AvroSerde<AgentHeartbeat> serde,
      Duration interval) {
    this.agentId = agentId;
    this.workload = workload;
    this.topic = topic;
    this.feed = feed;
    this.serde = serde;
    this.intervalNanos = interval.toNanos();
    Map<String, Object> props = new HashMap<>(kafkaProperties);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "heartbeats-" + agentId);
              t.setDaemon(true);
              return t;
            });
  }

  public void start() {
    timer.scheduleWithFixedDelay(this::tick, 0, CHECK_MS, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      long now = System.nanoTime();
      long offset = feed.appliedOffset();
      boolean ready = feed.caughtUp();
      if (feed.partition() < 0) {
        return;
      }
      if (offset != lastOffset || ready != lastReady || now - lastSentNanos >= intervalNanos) {
        send(offset, ready);
        lastOffset = offset;
        lastReady = ready;
        lastSentNanos = now;
      }
    } catch (RuntimeException e) {
      LOG.warn("Heartbeat of {} not sent: {}", agentId, e.getMessage());
    }
  }

  private void send(long offset, boolean ready) {
    AgentHeartbeat beat =
        AgentHeartbeat.newBuilder()
            .setAgentId(agentId)
            .setWorkload(workload)
            .setPartition(feed.partition())
            .setAppliedOffset(offset)
            .setReady(ready)
            .setRoutes(feed.current().size())
            .setStartedAt(startedAt)
            .setTime(Instant.now())
            .build();
    byte[] value = serde.serialize(topic, beat);
    synchronized (sending) {
      if (closed) {
        return;
      }
      producer.send(new ProducerRecord<>(topic, agentId, value));
    }
  }

  /**
   * Stops reporting and marks the agent gone: waits (bounded) for a tick in progress, so the
   * tombstone is the agent's last record; a tick that outlives the wait cannot send any more.
   */
  @Override
  public void close() {
    synchronized (sending) {
      if (closed) {
        return;
      }
      closed = true;
    }
    timer.shutdownNow();
    try {
      if (!timer.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn(
            "Heartbeat of {} still running after {}; marking the agent gone", agentId, CLOSE_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      producer.send(new ProducerRecord<>(topic, agentId, null)).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Could not mark agent {} gone: {}", agentId, e.getMessage());
    }
    producer.close(Duration.ofSeconds(5));
  }
}
