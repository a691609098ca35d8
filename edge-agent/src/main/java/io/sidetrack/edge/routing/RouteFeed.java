package io.sidetrack.edge.routing;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sidetrack.core.RouteKeys;
import io.sidetrack.core.WorkloadPartitioning;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteTable;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.serde.AvroSerde;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the workload's route table: reads only the workload's partition of {@code sidetrack.routes}
 * (assigned, no consumer group) to its end, publishes the compiled table, then tails the partition
 * and applies each change to a new table (sharing the rest of the old one), swapped atomically.
 * With Kafka unreachable the last table stays; a record it cannot decode is skipped, logged and
 * counted.
 */
public final class RouteFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RouteFeed.class);
  private static final Duration REACHABILITY_CHECK = Duration.ofSeconds(2);

  private final String workload;
  private final String topic;
  private final Map<String, Object> consumerProps;
  private final java.util.function.Supplier<AvroSerde<RouteEntry>> entriesSource;
  private volatile AvroSerde<RouteEntry> entries;
  private final AtomicReference<RouteTable> table = new AtomicReference<>(RouteTable.empty());
  private final Counter changes;
  private final Counter undecodable;
  private final Thread thread;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private volatile boolean running = true;
  private volatile boolean caughtUp;
  private volatile boolean kafkaReachable;
  private volatile int partition = -1;
  private volatile long appliedOffset;

  public RouteFeed(
      String workload,
      String bootstrapServers,
      Map<String, String> kafkaProperties,
      String topic,
      java.util.function.Supplier<AvroSerde<RouteEntry>> entries,
      MeterRegistry meters) {
    this.workload = requireNonNull(workload, "workload");
    this.topic = requireNonNull(topic, "topic");
    // the serde may still be coming (its registry client starts beside the consumer)
    this.entriesSource = requireNonNull(entries, "entries");
    Map<String, Object> props = new HashMap<>(kafkaProperties);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // How long an idle fetch waits at the broker: bounds how late a route change is seen.
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    // A new agent reads its whole partition before it is ready: few, large fetches.
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
    props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
    props.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2_000);
    this.consumerProps = props;
    this.changes =
        Counter.builder("sidetrack.agent.route.changes")
            .description("Route entries applied")
            .register(meters);
    this.undecodable =
        Counter.builder("sidetrack.agent.route.undecodable")
            .description("Route records that could not be decoded and were skipped")
            .register(meters);
    Gauge.builder("sidetrack.agent.routes", this, f -> f.current().size())
        .description("Routes in the current table")
        .register(meters);
    Gauge.builder("sidetrack.agent.applied.offset", this, f -> f.appliedOffset)
        .description("Offset of sidetrack.routes applied up to")
        .register(meters);
    this.thread = new Thread(this::run, "route-feed-" + workload);
    this.thread.setDaemon(true);
  }

  /** Starts reading in the background. */
  public void start() {
    thread.start();
  }

  /** The current table; callers keep the one they got for the whole request. */
  public RouteTable current() {
    return table.get();
  }

  /** Whether the partition was read to its end at least once. */
  public boolean caughtUp() {
    return caughtUp;
  }

  /** Whether Kafka answered recently. */
  public boolean kafkaReachable() {
    return kafkaReachable;
  }

  /** The partition read, or -1 before it is known. */
  public int partition() {
    return partition;
  }

  /** Every record before this offset of the partition is applied. */
  public long appliedOffset() {
    return appliedOffset;
  }

  private void run() {
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer = c;
      TopicPartition tp = awaitPartition(c);
      if (tp == null) {
        return;
      }
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = endOffset(c, tp);
      long t0 = System.nanoTime();
      long startedAt = uptimeMillis();
      // Decode each fetched batch on every core while the next one is fetched; then keep each
      // key's last record (a tombstone removes the key).
      List<java.util.concurrent.Future<List<Decoded>>> decoding = new java.util.ArrayList<>();
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(
              Math.max(1, Runtime.getRuntime().availableProcessors()),
              r -> {
                Thread t = new Thread(r, "route-decode-" + workload);
                t.setDaemon(true);
                return t;
              });
      List<Route> initial;
      try {
        while (running && c.position(tp) < end) {
          List<ConsumerRecord<String, byte[]>> chunk = new java.util.ArrayList<>(DECODE_CHUNK);
          for (ConsumerRecord<String, byte[]> r : poll(c)) {
            if (ours(r)) {
              chunk.add(r);
              if (chunk.size() == DECODE_CHUNK) {
                decoding.add(submit(pool, chunk));
                chunk = new java.util.ArrayList<>(DECODE_CHUNK);
              }
            }
          }
          if (!chunk.isEmpty()) {
            decoding.add(submit(pool, chunk));
          }
        }
        Map<String, Route> latest = new HashMap<>();
        for (java.util.concurrent.Future<List<Decoded>> f : decoding) {
          for (Decoded d : f.get()) {
            if (d.skipped()) {
              continue;
            }
            if (d.route() == null) {
              latest.remove(d.key());
            } else {
              latest.put(d.key(), d.route());
            }
          }
        }
        initial = List.copyOf(latest.values());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      } finally {
        pool.shutdownNow();
      }
      long t1 = System.nanoTime();
      table.set(RouteTable.compile(initial));
      appliedOffset = c.position(tp);
      caughtUp = true;
      LOG.info(
          "Routes of {} loaded: {} routes from partition {} up to offset {} (reading began {} ms"
              + " after JVM start; read and decoded in {} ms, compiled in {} ms)",
          workload,
          initial.size(),
          tp.partition(),
          appliedOffset,
          startedAt,
          (t1 - t0) / 1_000_000,
          (System.nanoTime() - t1) / 1_000_000);
      long nextCheck = System.nanoTime();
      while (running) {
        ConsumerRecords<String, byte[]> records = poll(c);
        if (!records.isEmpty()) {
          RouteTable next = table.get();
          for (ConsumerRecord<String, byte[]> r : records) {
            next = apply(next, r);
          }
          table.set(next);
        }
        appliedOffset = c.position(tp);
        if (System.nanoTime() >= nextCheck) {
          endOffset(c, tp);
          nextCheck = System.nanoTime() + REACHABILITY_CHECK.toNanos();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      if (running) {
        LOG.error("Route feed of {} stopped; routing stays on the last table", workload, e);
      }
    }
  }

  private TopicPartition awaitPartition(KafkaConsumer<String, byte[]> c) {
    while (running) {
      try {
        List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(5));
        kafkaReachable = true;
        if (infos != null && !infos.isEmpty()) {
          partition = WorkloadPartitioning.partitionOf(workload, infos.size());
          return new TopicPartition(topic, partition);
        }
        LOG.warn("Topic {} does not exist yet; waiting for registry-stream to create it", topic);
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        kafkaReachable = false;
        LOG.warn("Kafka unreachable while looking up {}; retrying", topic);
      }
      sleep(1000);
    }
    return null;
  }

  private long endOffset(KafkaConsumer<String, byte[]> c, TopicPartition tp) {
    while (running) {
      try {
        long end = c.endOffsets(List.of(tp), Duration.ofSeconds(2)).get(tp);
        if (!kafkaReachable) {
          LOG.info("Kafka reachable again");
        }
        kafkaReachable = true;
        return end;
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        if (kafkaReachable) {
          LOG.warn("Kafka unreachable; routing on the last table");
        }
        kafkaReachable = false;
        if (caughtUp) {
          return -1;
        }
      }
    }
    return -1;
  }

  private ConsumerRecords<String, byte[]> poll(KafkaConsumer<String, byte[]> c) {
    return c.poll(Duration.ofMillis(200));
  }

  private RouteTable apply(RouteTable current, ConsumerRecord<String, byte[]> r) {
    if (!ours(r)) {
      return current;
    }
    changes.increment();
    if (r.value() == null) {
      LOG.debug("Route {} withdrawn (offset {})", r.key(), r.offset());
      return current.without(RouteKeys.idOf(r.key()));
    }
    Route route = decode(r);
    if (route == null) {
      return current;
    }
    LOG.debug("Route {} applied (offset {})", r.key(), r.offset());
    return current.with(route);
  }

  private static final int DECODE_CHUNK = 2048;

  /**
   * A key and its route: {@code null} for a tombstone; {@code skipped} for a record that cannot be
   * decoded (the key keeps what it had, as when tailing).
   */
  private record Decoded(String key, Route route, boolean skipped) {}

  private java.util.concurrent.Future<List<Decoded>> submit(
      java.util.concurrent.ExecutorService pool, List<ConsumerRecord<String, byte[]>> chunk) {
    return pool.submit(
        () -> {
          List<Decoded> out = new java.util.ArrayList<>(chunk.size());
          for (ConsumerRecord<String, byte[]> r : chunk) {
            Route route = r.value() == null ? null : decode(r);
            out.add(new Decoded(r.key(), route, r.value() != null && route == null));
          }
          return out;
        });
  }

  private boolean ours(ConsumerRecord<String, byte[]> r) {
    return r.key() != null && RouteKeys.workloadOf(r.key()).equals(workload);
  }

  private Route decode(ConsumerRecord<String, byte[]> r) {
    try {
      AvroSerde<RouteEntry> serde = entries;
      if (serde == null) {
        serde = entriesSource.get();
        entries = serde;
      }
      return AvroMapping.toRoute(serde.deserialize(r.topic(), r.value()));
    } catch (RuntimeException e) {
      undecodable.increment();
      LOG.warn("Route record {} at offset {} skipped: {}", r.key(), r.offset(), e.getMessage());
      return null;
    }
  }

  private static long uptimeMillis() {
    return java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
