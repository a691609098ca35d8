package io.sidetrack.loadtest.records;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.RouteKeys;
import io.sidetrack.core.Topics;
import io.sidetrack.embedded.EmbeddedCluster;
import io.sidetrack.kafka.interceptor.InterceptorConfig;
import io.sidetrack.kafka.interceptor.SidetrackConsumerInterceptor;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.SchemaRegistryClients;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real {@link KafkaConsumer} reading the same records (100-byte values, a {@code traceparent}
 * header, none claimed) from a Kafka broker in a process of its own, without Sidetrack's consumer
 * interceptor ({@code none}) and with it while 1 or 10,000 intercepts of the workload take the
 * topic. The rows are interleaved: each round reads the topic once per row, in an order that
 * rotates, so a change in the machine's load falls on every row alike, and each round's ratio to
 * {@code none} is taken within the round. Each read uses a new consumer (made and closed outside
 * the measured time) with {@code assign} and no group: all its work, the interceptor's included,
 * runs on the polling thread, whose CPU time is measured beside the wall time.
 *
 * <p>{@code loadtest/run-consumer-throughput.sh [rounds, default 15] [records, default 300000]}
 */
public final class ConsumerThroughputRun {
  private static final String WORKLOAD = "orders";
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private ConsumerThroughputRun() {}

  /** One way of reading: no interceptor, or the interceptor with this many intercepts. */
  private record Row(String name, int intercepts, String prefix, String registry) {
    boolean intercepted() {
      return intercepts > 0;
    }
  }

  /** One read of the topic: wall and polling-thread CPU time. */
  private record Read(long wallNanos, long cpuNanos) {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    int records = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
    int warmup = Math.max(3, rounds / 5);
    try (EmbeddedCluster kafka = EmbeddedCluster.startTemporary(1)) {
      String bootstrap = kafka.bootstrapServers();
      String suffix = UUID.randomUUID().toString().substring(0, 8);
      String topic = "orders.created-" + suffix;
      List<Row> rows =
          List.of(
              new Row("none", 0, "", ""),
              new Row("1 intercept", 1, "b1" + suffix + ".", "mock://b1-" + suffix),
              new Row("10,000 intercepts", 10_000, "b2" + suffix + ".", "mock://b2-" + suffix));
      createTopics(bootstrap, topic, rows);
      produce(bootstrap, topic, records, rows);
      // one consumer per intercepted row keeps the JVM's shared route reader of its settings open
      List<KafkaConsumer<byte[], byte[]>> holders = new ArrayList<>();
      for (Row row : rows) {
        if (row.intercepted()) {
          holders.add(consumer(bootstrap, row, "holder-" + row.prefix()));
          awaitRoutes("holder-" + row.prefix(), row.intercepts());
        }
      }
      System.out.printf(
          "%,d records on %s (broker pid %d, its own process); %d warm-up and %d measured rounds,"
              + " rows interleaved%n",
          records, topic, kafka.pid(1), warmup, rounds);
      Map<String, List<Read>> reads = new LinkedHashMap<>();
      Map<String, List<Double>> ratios = new LinkedHashMap<>();
      for (int round = -warmup; round < rounds; round++) {
        Map<String, Read> thisRound = new HashMap<>();
        for (int i = 0; i < rows.size(); i++) {
          Row row = rows.get(Math.floorMod(round + i, rows.size()));
          thisRound.put(row.name(), readAll(bootstrap, topic, row, records));
        }
        if (round < 0) {
          continue;
        }
        Read none = thisRound.get("none");
        for (Row row : rows) {
          Read r = thisRound.get(row.name());
          reads.computeIfAbsent(row.name(), k -> new ArrayList<>()).add(r);
          ratios
              .computeIfAbsent(row.name(), k -> new ArrayList<>())
              .add((double) none.wallNanos() / r.wallNanos());
        }
        System.out.printf(
            "round %d: %s (load average %.1f)%n",
            round + 1,
            describe(thisRound, rows),
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      }
      holders.forEach(KafkaConsumer::close);
      System.out.printf(
          "%n| consumer | records/s, median (wall) | CPU per record, median (polling thread)"
              + " | ratio to none, median of the rounds' (quartiles) |%n");
      System.out.println("| --- | ---: | ---: | --- |");
      for (Row row : rows) {
        List<Read> rs = reads.get(row.name());
        double wall = median(rs.stream().map(r -> (double) r.wallNanos()).toList());
        double cpu = median(rs.stream().map(r -> (double) r.cpuNanos()).toList());
        List<Double> q = ratios.get(row.name());
        System.out.printf(
            "| %s | %,.0f | %.0f ns | %.3f× (%.3f–%.3f) |%n",
            row.name(),
            records / (wall / 1e9),
            cpu / records,
            median(q),
            quantile(q, 0.25),
            quantile(q, 0.75));
      }
    }
  }

  private static String describe(Map<String, Read> round, List<Row> rows) {
    StringBuilder s = new StringBuilder();
    for (Row row : rows) {
      Read r = round.get(row.name());
      if (s.length() > 0) {
        s.append("; ");
      }
      s.append(
          String.format(
              "%s %d ms (cpu %d ms)",
              row.name(), r.wallNanos() / 1_000_000, r.cpuNanos() / 1_000_000));
    }
    return s.toString();
  }

  private static Read readAll(String bootstrap, String topic, Row row, int records) {
    try (KafkaConsumer<byte[], byte[]> reader =
        consumer(bootstrap, row, "reader-" + UUID.randomUUID())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      reader.assign(List.of(tp));
      reader.seekToBeginning(List.of(tp));
      long cpu0 = THREADS.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      long read = 0;
      while (read < records) {
        read += reader.poll(Duration.ofMillis(500)).count();
      }
      return new Read(System.nanoTime() - t0, THREADS.getCurrentThreadCpuTime() - cpu0);
    }
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, Row row, String id) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, id);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    if (row.intercepted()) {
      p.put(
          ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG, SidetrackConsumerInterceptor.class.getName());
      p.put(InterceptorConfig.WORKLOAD_CONFIG, WORKLOAD);
      p.put(InterceptorConfig.SCHEMA_REGISTRY_URL_CONFIG, row.registry());
      p.put(InterceptorConfig.TOPIC_PREFIX_CONFIG, row.prefix());
      p.put(InterceptorConfig.AGENT_ID_CONFIG, "bench-" + row.prefix());
    }
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static void createTopics(String bootstrap, String topic, List<Row> rows)
      throws Exception {
    List<NewTopic> topics = new ArrayList<>(List.of(new NewTopic(topic, 1, (short) 1)));
    for (Row row : rows) {
      if (row.intercepted()) {
        Topics.Names names = Topics.DEFAULT.withPrefix(row.prefix());
        topics.add(new NewTopic(names.routes(), 1, (short) 1));
        topics.add(new NewTopic(names.agents(), 1, (short) 1));
      }
    }
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(topics).all().get();
    }
  }

  private static void produce(String bootstrap, String topic, int records, List<Row> rows) {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.LINGER_MS_CONFIG,
                20,
                ProducerConfig.BATCH_SIZE_CONFIG,
                256 * 1024),
            new StringSerializer(),
            new ByteArraySerializer())) {
      byte[] value = new byte[100];
      byte[] traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".getBytes();
      for (int i = 0; i < records; i++) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, "k" + (i % 1000), value);
        r.headers().add("traceparent", traceparent);
        producer.send(r);
      }
      Instant t0 = Instant.now();
      for (Row row : rows) {
        if (!row.intercepted()) {
          continue;
        }
        String routes = Topics.DEFAULT.withPrefix(row.prefix()).routes();
        AvroSerde<RouteEntry> serde =
            AvroSerde.forValues(
                SchemaRegistryClients.create(SchemaRegistryConfig.of(row.registry())),
                RouteEntry.class);
        for (int i = 0; i < row.intercepts(); i++) {
          Intercept intercept =
              new Intercept(
                      "p-" + i,
                      WORKLOAD,
                      "dev-" + i,
                      MatchRules.personal("dev-" + i),
                      "router:8071",
                      t0,
                      t0.plusSeconds(3600),
                      FailureMode.FAIL_OPEN,
                      Map.of())
                  .withTopics(List.of(topic));
          producer.send(
              new ProducerRecord<>(
                  routes,
                  RouteKeys.routeKey(WORKLOAD, intercept.id()),
                  serde.serialize(routes, AvroMapping.toRouteEntry(intercept))));
        }
      }
      producer.flush();
    }
  }

  private static void awaitRoutes(String clientId, int n) throws Exception {
    ObjectName name =
        new ObjectName(
            "io.sidetrack:type=kafka-interceptor,client-id=" + ObjectName.quote(clientId));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while ((Integer) ManagementFactory.getPlatformMBeanServer().getAttribute(name, "Routes") < n) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("routes of " + clientId + " not read in 120 s");
      }
      Thread.sleep(50);
    }
  }

  private static double median(List<Double> values) {
    return quantile(values, 0.5);
  }

  private static double quantile(List<Double> values, double q) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    double pos = q * (sorted.size() - 1);
    int lo = (int) Math.floor(pos);
    int hi = (int) Math.ceil(pos);
    return sorted.get(lo) + (sorted.get(hi) - sorted.get(lo)) * (pos - lo);
  }
}
