package io.sidetrack.loadtest.tunnel;

import io.sidetrack.cli.tunnel.AppProtocol;
import io.sidetrack.cli.tunnel.LocalRecords;
import io.sidetrack.cli.tunnel.TunnelClient;
import io.sidetrack.cli.tunnel.TunnelEvents;
import io.sidetrack.core.MatchRules;
import io.sidetrack.edge.EdgeAgent;
import io.sidetrack.edge.EdgeAgentConfig;
import io.sidetrack.embedded.EmbeddedKafka;
import io.sidetrack.embedded.EmbeddedSchemaRegistry;
import io.sidetrack.loadtest.BenchStack;
import io.sidetrack.router.Router;
import io.sidetrack.router.RouterConfig;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.tunnel.InterceptSpec;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The queue split's delivery, measured on the embedded stack: a record that carries the developer's
 * header, from the moment it is produced to the cluster's broker to the moment a consumer reads it
 * from the broker on the "laptop" (the router reading the topic, the tunnel, the CLI's writer, the
 * laptop's broker), at a steady rate with as many records nobody claims beside them; then the
 * throughput of a burst of the developer's records.
 *
 * <p>Everything runs in this JVM on loopback (two brokers, the registry as a child process,
 * registry-stream, an edge agent, the router, the tunnel client and its writer), on real sockets.
 *
 * <p>Usage: {@code RecordRelayBenchmark [records] [rate/s] [burst] [bytes]}.
 */
public final class RecordRelayBenchmark {
  private static final String WORKLOAD = "bench";
  private static final String TOPIC = "bench.orders";
  private static final String TOKEN = "bench-token-0123456789abcdef";

  public static void main(String[] args) throws Exception {
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int burst = args.length > 2 ? Integer.parseInt(args[2]) : 50_000;
    int bytes = args.length > 3 ? Integer.parseInt(args[3]) : 1_024;
    Path dir = Files.createTempDirectory("sidetrack-records-bench");
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, TOKEN + " bench *\n");
    Vertx vertx = Vertx.vertx();
    try (BenchStack stack = BenchStack.start(dir, 6);
        EmbeddedKafka laptop = EmbeddedKafka.start(dir.resolve("laptop"), 0, true)) {
      EmbeddedKafka kafka = stack.kafka();
      EmbeddedSchemaRegistry registry = stack.registry();
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get();
      }
      SchemaRegistryConfig sr = SchemaRegistryConfig.of(registry.url());
      java.security.KeyPair routerKey = io.sidetrack.core.trust.Keys.generate();
      try (EdgeAgent agent =
              EdgeAgent.start(
                  EdgeAgentConfig.of(
                          WORKLOAD, "127.0.0.1", 0, "127.0.0.1", 1, kafka.bootstrapServers(), sr)
                      .withTrustedRouters(
                          io.sidetrack.core.trust.TrustedKeys.of(List.of(routerKey.getPublic()))));
          Router router =
              Router.start(
                  RouterConfig.of(kafka.bootstrapServers(), sr, tokens)
                      .withSigning(new RouterConfig.Signing(routerKey.getPrivate())));
          LocalRecords writer = new LocalRecords(laptop.bootstrapServers(), new TunnelEvents() {});
          KafkaProducer<byte[], byte[]> producer = producer(kafka.bootstrapServers());
          KafkaConsumer<byte[], byte[]> reader = consumer(laptop.bootstrapServers())) {
        while (!router.view().ready() || router.view().liveAgents(WORKLOAD).isEmpty()) {
          Thread.sleep(50);
        }
        InterceptSpec spec =
            new InterceptSpec(
                    "i-records",
                    WORKLOAD,
                    MatchRules.header("x-sidetrack-id", "dev"),
                    Duration.ofSeconds(30),
                    false)
                .withTopics(List.of(TOPIC));
        TunnelClient dev =
            new TunnelClient(
                    vertx,
                    List.of(router.url()),
                    TOKEN,
                    owner -> spec,
                    "127.0.0.1",
                    1,
                    AppProtocol.AUTO,
                    new TunnelEvents() {})
                .records(writer);
        dev.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        reader.subscribe(List.of(TOPIC));
        System.out.printf(
            "Record relay on the embedded stack, all in one JVM on loopback: %d-byte values%n",
            bytes);
        byte[] value = new byte[bytes];
        latency(producer, reader, value, 500, rate, null); // warm-up, not reported
        latency(producer, reader, value, records, rate, "steady");
        throughput(producer, reader, value, burst);
        dev.leave().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } finally {
      vertx.close();
    }
    System.exit(0);
  }

  /**
   * {@code n} records of the developer's at {@code rate}/s, each beside one that nobody claims;
   * each read on the laptop's broker gives its latency (produced → read there).
   */
  private static void latency(
      KafkaProducer<byte[], byte[]> producer,
      KafkaConsumer<byte[], byte[]> reader,
      byte[] value,
      int n,
      int rate,
      String label) {
    Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    long start = System.nanoTime();
    int sent = 0;
    int got = 0;
    long deadline = start + TimeUnit.SECONDS.toNanos(60) + n * interval;
    while (got < n && System.nanoTime() < deadline) {
      long now = System.nanoTime();
      while (sent < n && now >= start + sent * interval) {
        producer.send(record(value, null));
        producer.send(record(value, "dev"));
        sent++;
      }
      for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(1))) {
        long sentAt = ByteBuffer.wrap(r.headers().lastHeader("sent-ns").value()).getLong();
        h.recordValue(Math.max(0, (System.nanoTime() - sentAt) / 1_000));
        got++;
      }
    }
    if (label != null) {
      System.out.printf(
          "Diverted record, produced -> read on the laptop's broker (%s, %d records at %d/s, as"
              + " many unclaimed beside them): p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms;"
              + " %d of %d arrived%n",
          label,
          n,
          rate,
          h.getValueAtPercentile(50) / 1000.0,
          h.getValueAtPercentile(99) / 1000.0,
          h.getValueAtPercentile(99.9) / 1000.0,
          h.getMaxValue() / 1000.0,
          got,
          n);
    }
  }

  /** {@code n} records of the developer's as fast as they go: time until all are on the laptop. */
  private static void throughput(
      KafkaProducer<byte[], byte[]> producer,
      KafkaConsumer<byte[], byte[]> reader,
      byte[] value,
      int n) {
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      producer.send(record(value, "dev"));
    }
    producer.flush();
    long produced = System.nanoTime() - t0;
    int got = 0;
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (got < n && System.nanoTime() < deadline) {
      got += reader.poll(Duration.ofMillis(100)).count();
    }
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "Burst of %d diverted records of %d bytes: produced in %.1f s, all on the laptop after"
            + " %.1f s: %.0f records/s, %.1f MB/s (%d arrived)%n",
        n, value.length, produced / 1e9, s, got / s, got * (double) value.length / s / 1e6, got);
  }

  private static ProducerRecord<byte[], byte[]> record(byte[] value, String developer) {
    ProducerRecord<byte[], byte[]> r =
        new ProducerRecord<>(TOPIC, "order".getBytes(StandardCharsets.UTF_8), value);
    r.headers().add("sent-ns", ByteBuffer.allocate(8).putLong(System.nanoTime()).array());
    if (developer != null) {
      r.headers().add("x-sidetrack-id", developer.getBytes(StandardCharsets.UTF_8));
    }
    return r;
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(
        Map.of(
            "bootstrap.servers",
            bootstrap,
            "linger.ms",
            "0",
            "key.serializer",
            ByteArraySerializer.class.getName(),
            "value.serializer",
            ByteArraySerializer.class.getName()));
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    return new KafkaConsumer<>(
        Map.of(
            "bootstrap.servers",
            bootstrap,
            "group.id",
            "bench-laptop",
            "auto.offset.reset",
            "earliest",
            "fetch.max.wait.ms",
            "10",
            "metadata.max.age.ms",
            "1000",
            "key.deserializer",
            ByteArrayDeserializer.class.getName(),
            "value.deserializer",
            ByteArrayDeserializer.class.getName()));
  }
}
