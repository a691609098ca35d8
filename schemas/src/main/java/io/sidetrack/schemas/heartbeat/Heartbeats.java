package io.sidetrack.schemas.heartbeat;

import static java.util.Objects.requireNonNull;

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
 * Reports a reader of a workload's routes to {@code sidetrack.agents}, as every edge agent and
 * every consumer interceptor does: the workload, the partition of {@code sidetrack.routes} it reads
 * and the offset it applied, whether it is ready, every interval and whenever the offset or
 * readiness changes; a tombstone when it stops. The router counts the reporters of a workload as
 * its live agents, so an intercept becomes active only once every one applied its route entry.
 */
public final class Heartbeats implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeats.class);
  private static final long CHECK_MS = 100;

  /** How long close waits for a tick in progress before it writes the tombstone regardless. */
  public static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  /** What is reported; read on the reporter's thread. */
  public interface Progress {
    /** The partition of {@code sidetrack.routes} read, or -1 before it is known. */
    int partition();

    /** The offset of that partition applied. */
    long appliedOffset();

    /** Whether the first read reached the end. */
    boolean ready();

    /** How many routes it holds. */
    int routes();
  }

  private final String agentId;
  private final String workload;
  private final String topic;
  private final AvroSerde<AgentHeartbeat> serde;
  private final Progress progress;
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

  /**
   * A reporter that writes with a producer of its own ({@code kafkaProperties} and {@code
   * bootstrapServers}; the producer interceptors of an application's settings are not used).
   */
  public Heartbeats(
      String agentId,
      String workload,
      String bootstrapServers,
      Map<String, ?> kafkaProperties,
      String topic,
      AvroSerde<AgentHeartbeat> serde,
      Duration interval,
      Progress progress) {
    this.agentId = requireNonNull(agentId, "agentId");
    this.workload = requireNonNull(workload, "workload");
    this.topic = requireNonNull(topic, "topic");
    this.serde = requireNonNull(serde, "serde");
    this.progress = requireNonNull(progress, "progress");
    this.intervalNanos = interval.toNanos();
    Map<String, Object> props = new HashMap<>(kafkaProperties);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    props.remove(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG);
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sidetrack-heartbeats-" + agentId);
              t.setDaemon(true);
              return t;
            });
  }

  public void start() {
    timer.scheduleWithFixedDelay(this::tick, 0, CHECK_MS, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      int partition = progress.partition();
      if (partition < 0) {
        return;
      }
      long now = System.nanoTime();
      long offset = progress.appliedOffset();
      boolean ready = progress.ready();
      if (offset != lastOffset || ready != lastReady || now - lastSentNanos >= intervalNanos) {
        send(partition, offset, ready);
        lastOffset = offset;
        lastReady = ready;
        lastSentNanos = now;
      }
    } catch (RuntimeException e) {
      LOG.warn("Heartbeat of {} not sent: {}", agentId, e.getMessage());
    }
  }

  private void send(int partition, long offset, boolean ready) {
    AgentHeartbeat beat =
        AgentHeartbeat.newBuilder()
            .setAgentId(agentId)
            .setWorkload(workload)
            .setPartition(partition)
            .setAppliedOffset(offset)
            .setReady(ready)
            .setRoutes(progress.routes())
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
   * Stops reporting and marks the reporter gone: waits (bounded) for a tick in progress, so the
   * tombstone is its last record; a tick that outlives the wait cannot send any more.
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
        LOG.warn("Heartbeat of {} still running after {}; marking it gone", agentId, CLOSE_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      producer.send(new ProducerRecord<>(topic, agentId, null)).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Could not mark {} gone: {}", agentId, e.getMessage());
    }
    producer.close(Duration.ofSeconds(5));
  }
}
