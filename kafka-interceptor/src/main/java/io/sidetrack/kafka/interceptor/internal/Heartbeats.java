package io.sidetrack.kafka.interceptor.internal;

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
 * Reports the interceptor to {@code sidetrack.agents} exactly as an edge agent reports itself (the
 * same {@code AgentHeartbeat}: workload, partition, offset of {@code sidetrack.routes} applied,
 * ready), every interval and whenever that offset moves, and a tombstone when it stops: the router
 * counts it among the workload's live agents, so an intercept becomes active only once this JVM's
 * consumers skip its records.
 */
final class Heartbeats implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeats.class);
  private static final long CHECK_MS = 100;

  /** What is reported. */
  interface Progress {
    int partition();

    long appliedOffset();

    boolean ready();

    int routes();
  }

  private final String agentId;
  private final String workload;
  private final String topic;
  private final AvroSerde<AgentHeartbeat> serde;
  private final KafkaProducer<String, byte[]> producer;
  private final ScheduledExecutorService timer;
  private final Progress progress;
  private final Instant startedAt = Instant.now();
  private final long intervalNanos;
  private long lastSentNanos;
  private long lastOffset = -1;
  private boolean lastReady;
  private final Object sending = new Object();
  private boolean closed;

  Heartbeats(
      String agentId,
      String workload,
      String bootstrapServers,
      Map<String, Object> kafkaProperties,
      String topic,
      AvroSerde<AgentHeartbeat> serde,
      Duration interval,
      Progress progress) {
    this.agentId = agentId;
    this.workload = workload;
    this.topic = topic;
    this.serde = serde;
    this.progress = progress;
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

  void start() {
    timer.scheduleWithFixedDelay(this::tick, 0, CHECK_MS, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      if (progress.partition() < 0) {
        return;
      }
      long now = System.nanoTime();
      long offset = progress.appliedOffset();
      boolean ready = progress.ready();
      if (offset != lastOffset || ready != lastReady || now - lastSentNanos >= intervalNanos) {
        AgentHeartbeat beat =
            AgentHeartbeat.newBuilder()
                .setAgentId(agentId)
                .setWorkload(workload)
                .setPartition(progress.partition())
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
        lastOffset = offset;
        lastReady = ready;
        lastSentNanos = now;
      }
    } catch (RuntimeException e) {
      LOG.warn("Sidetrack heartbeat of {} not sent: {}", agentId, e.getMessage());
    }
  }

  /** Stops reporting and marks this reporter gone (a tombstone). */
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
      timer.awaitTermination(5, TimeUnit.SECONDS);
      producer.send(new ProducerRecord<>(topic, agentId, null)).get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("Could not mark Sidetrack reporter {} gone: {}", agentId, e.getMessage());
    }
    producer.close(Duration.ofSeconds(5));
  }
}
