package io.sidetrack.loadtest.controlplane;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.Topics;
import io.sidetrack.embedded.EmbeddedKafka;
import io.sidetrack.embedded.EmbeddedSchemaRegistry;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.registry.HttpSchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import io.sidetrack.stream.RegistryStreamApp;
import io.sidetrack.stream.RegistryStreamConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Measures one registry-stream instance (exactly-once, default settings) on the embedded broker and
 * registry: registrations decided per second when they arrive as fast as a producer sends them, and
 * the latency from sending a registration to its route entry being readable ({@code
 * read_committed}) at a steady 100 registrations per second.
 */
public final class RegistryStreamBenchmark {
  private static final int PARTITIONS = 6;

  public static void main(String[] args) throws Exception {
    int burst = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    int latencySeconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    Path dir = Files.createTempDirectory("sidetrack-bench");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, true);
        EmbeddedSchemaRegistry registry =
            EmbeddedSchemaRegistry.start(dir.resolve("registry.log"), 0)) {
      RegistryStreamConfig config =
          RegistryStreamConfig.builder(
                  kafka.bootstrapServers(), SchemaRegistryConfig.of(registry.url()))
              .stateDir(dir.resolve("state"))
              .listen("127.0.0.1", 0)
              .partitions(PARTITIONS)
              .replicationFactor(1)
              .build();
      try (RegistryStreamApp app = RegistryStreamApp.start(config)) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (app.streams().state() != KafkaStreams.State.RUNNING) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("registry-stream did not start");
          }
          Thread.sleep(50);
        }
        var serde =
            AvroSerde.forValues(
                new HttpSchemaRegistryClient(SchemaRegistryConfig.of(registry.url())),
                InterceptRegistration.class);
        RouteWatcher watcher = new RouteWatcher(kafka.bootstrapServers());
        watcher.start();
        try (var producer = producer(kafka.bootstrapServers())) {
          System.out.println(
              "processing.guarantee="
                  + config.processingGuarantee()
                  + " commit.interval="
                  + config.commitInterval().toMillis()
                  + "ms partitions="
                  + PARTITIONS);
          warmUp(producer, serde, watcher);
          throughput(producer, serde, watcher, burst);
          latency(producer, serde, watcher, latencySeconds);
        } finally {
          watcher.stop();
        }
      }
    }
  }

  private static void warmUp(
      KafkaProducer<String, byte[]> producer,
      AvroSerde<InterceptRegistration> serde,
      RouteWatcher watcher)
      throws Exception {
    int n = 2_000;
    for (int i = 0; i < n; i++) {
      send(producer, serde, "warm", i, null);
    }
    producer.flush();
    watcher.awaitCount(n, Duration.ofSeconds(120));
  }

  private static void throughput(
      KafkaProducer<String, byte[]> producer,
      AvroSerde<InterceptRegistration> serde,
      RouteWatcher watcher,
      int n)
      throws Exception {
    // Serialize first so the clock measures registry-stream, not the benchmark's encoding.
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Intercept intercept = intercept("burst", i);
      records.add(
          new ProducerRecord<>(
              Topics.INTERCEPTS,
              intercept.id(),
              serde.serialize(Topics.INTERCEPTS, AvroMapping.toRegistration(intercept))));
    }
    long before = watcher.count();
    long start = System.nanoTime();
    for (ProducerRecord<String, byte[]> r : records) {
      producer.send(r);
    }
    producer.flush();
    long sent = System.nanoTime();
    watcher.awaitCount(before + n, Duration.ofSeconds(600));
    long done = System.nanoTime();
    double seconds = (done - start) / 1e9;
    System.out.printf(
        "throughput: %d registrations (%d workloads) decided in %.2fs = %.0f registrations/s"
            + " (producer sent them in %.2fs)%n",
        n, n / 50, seconds, n / seconds, (sent - start) / 1e9);
  }

  private static void latency(
      KafkaProducer<String, byte[]> producer,
      AvroSerde<InterceptRegistration> serde,
      RouteWatcher watcher,
      int seconds)
      throws Exception {
    int rate = 100;
    int n = rate * seconds;
    long intervalNanos = 1_000_000_000L / rate;
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long due = start + i * intervalNanos;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      send(producer, serde, "steady", i, watcher);
    }
    producer.flush();
    long[] latencies = watcher.awaitLatencies("steady", n, Duration.ofSeconds(120));
    Arrays.sort(latencies);
    System.out.printf(
        "latency at %d registrations/s for %ds (%d samples), send -> route entry readable:"
            + " p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        rate,
        seconds,
        n,
        pct(latencies, 50),
        pct(latencies, 90),
        pct(latencies, 99),
        latencies[latencies.length - 1] / 1e6);
  }

  private static double pct(long[] sorted, double p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }

  private static void send(
      KafkaProducer<String, byte[]> producer,
      AvroSerde<InterceptRegistration> serde,
      String phase,
      int i,
      RouteWatcher watcher) {
    Intercept intercept = intercept(phase, i);
    byte[] value = serde.serialize(Topics.INTERCEPTS, AvroMapping.toRegistration(intercept));
    if (watcher != null) {
      watcher.sentAt(intercept.routeKey(), System.nanoTime());
    }
    producer.send(new ProducerRecord<>(Topics.INTERCEPTS, intercept.id(), value));
  }

  /** The i-th intercept of a phase: 50 intercepts per workload, each with its own header value. */
  private static Intercept intercept(String phase, int i) {
    Instant now = Instant.now();
    return new Intercept(
        phase + "-" + i,
        phase + "-w" + (i / 50),
        "dev-" + i,
        MatchRules.header("x-sidetrack-id", "dev-" + i),
        "router-1:9000",
        now,
        now.plus(Duration.ofMinutes(30)),
        FailureMode.FAIL_OPEN,
        Map.of());
  }

  private static KafkaProducer<String, byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(
        Map.<String, Object>of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ProducerConfig.LINGER_MS_CONFIG,
            0,
            ProducerConfig.ACKS_CONFIG,
            "all"),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  /** Reads sidetrack.routes (read_committed) and records when each route entry arrives. */
  static final class RouteWatcher {
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, Long> sent = new ConcurrentHashMap<>();
    private final Map<String, Long> latencyNanos = new ConcurrentHashMap<>();
    private final AtomicLong count = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    RouteWatcher(String bootstrap) {
      consumer =
          new KafkaConsumer<>(
              Map.<String, Object>of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  bootstrap,
                  ConsumerConfig.GROUP_ID_CONFIG,
                  "bench-" + System.nanoTime(),
                  ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                  "earliest",
                  ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                  "read_committed",
                  ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                  5),
              new StringDeserializer(),
              new ByteArrayDeserializer());
      consumer.subscribe(List.of(Topics.ROUTES));
      thread = new Thread(this::run, "route-watcher");
    }

    void start() {
      thread.start();
    }

    private void run() {
      while (running.get()) {
        for (var r : consumer.poll(Duration.ofMillis(20))) {
          long now = System.nanoTime();
          Long at = sent.remove(r.key());
          if (at != null) {
            latencyNanos.put(r.key(), now - at);
          }
          count.incrementAndGet();
        }
      }
      consumer.close();
    }

    void sentAt(String routeKey, long nanos) {
      sent.put(routeKey, nanos);
    }

    long count() {
      return count.get();
    }

    void awaitCount(long n, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (count.get() < n) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("saw " + count.get() + " of " + n + " route entries");
        }
        Thread.sleep(1);
      }
    }

    long[] awaitLatencies(String phase, int n, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (latencyNanos.keySet().stream().filter(k -> k.startsWith(phase)).count() < n) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("missing latencies for " + phase);
        }
        Thread.sleep(10);
      }
      return latencyNanos.entrySet().stream()
          .filter(e -> e.getKey().startsWith(phase))
          .mapToLong(Map.Entry::getValue)
          .toArray();
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(5000);
    }
  }
}
