package io.sidetrack.loadtest.jmh;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.RouteKeys;
import io.sidetrack.core.Topics;
import io.sidetrack.embedded.EmbeddedKafka;
import io.sidetrack.kafka.interceptor.InterceptorConfig;
import io.sidetrack.kafka.interceptor.SidetrackConsumerInterceptor;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.SchemaRegistryClients;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A real {@link KafkaConsumer} reading {@value #RECORDS} records (100-byte values, a {@code
 * traceparent} header, none claimed) from an embedded broker, without the interceptor ({@code
 * none}) and with Sidetrack's consumer interceptor configured while 1 or 10,000 intercepts of the
 * workload take the topic. Each invocation reads them all from the start with a new consumer (made
 * and closed outside the measured time); records/s = {@value #RECORDS} / score. The broker runs in
 * the same JVM: compare rows of one run only.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 8)
@Fork(1)
public class ConsumerThroughputBenchmark {
  static final int RECORDS = 300_000;
  static final String WORKLOAD = "orders";

  @Param({"none", "1", "10000"})
  String interceptors;

  EmbeddedKafka kafka;
  String topic;
  String prefix;
  String registry;
  KafkaConsumer<byte[], byte[]> holder;

  @Setup
  public void setUp() throws Exception {
    kafka = EmbeddedKafka.startTemporary();
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    topic = "orders.created-" + suffix;
    prefix = "bench" + suffix + ".";
    registry = "mock://bench-" + suffix;
    Topics.Names names = Topics.DEFAULT.withPrefix(prefix);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 1, (short) 1),
                  new NewTopic(names.routes(), 1, (short) 1),
                  new NewTopic(names.agents(), 1, (short) 1)))
          .all()
          .get();
    }
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG,
                20,
                ProducerConfig.BATCH_SIZE_CONFIG,
                256 * 1024),
            new StringSerializer(),
            new ByteArraySerializer())) {
      byte[] value = new byte[100];
      byte[] traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".getBytes();
      for (int i = 0; i < RECORDS; i++) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, "k" + (i % 1000), value);
        r.headers().add("traceparent", traceparent);
        producer.send(r);
      }
      if (!interceptors.equals("none")) {
        AvroSerde<RouteEntry> serde =
            AvroSerde.forValues(
                SchemaRegistryClients.create(SchemaRegistryConfig.of(registry)), RouteEntry.class);
        Instant t0 = Instant.now();
        int n = Integer.parseInt(interceptors);
        for (int i = 0; i < n; i++) {
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
                  names.routes(),
                  RouteKeys.routeKey(WORKLOAD, intercept.id()),
                  serde.serialize(names.routes(), AvroMapping.toRouteEntry(intercept))));
        }
      }
      producer.flush();
    }
    if (!interceptors.equals("none")) {
      // one consumer keeps the JVM's shared route reader open and read: invocations share it
      holder = consumer("holder");
      int n = Integer.parseInt(interceptors);
      ObjectName name =
          new ObjectName(
              "io.sidetrack:type=kafka-interceptor,client-id=" + ObjectName.quote("holder"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while ((Integer) ManagementFactory.getPlatformMBeanServer().getAttribute(name, "Routes")
          < n) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("routes not read in 60 s");
        }
        Thread.sleep(50);
      }
    }
  }

  private KafkaConsumer<byte[], byte[]> consumer(String clientId) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    if (!interceptors.equals("none")) {
      p.put(
          ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG, SidetrackConsumerInterceptor.class.getName());
      p.put(InterceptorConfig.WORKLOAD_CONFIG, WORKLOAD);
      p.put(InterceptorConfig.SCHEMA_REGISTRY_URL_CONFIG, registry);
      p.put(InterceptorConfig.TOPIC_PREFIX_CONFIG, prefix);
      p.put(InterceptorConfig.AGENT_ID_CONFIG, "bench-" + WORKLOAD);
    }
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  KafkaConsumer<byte[], byte[]> reader;

  /**
   * A new consumer for each invocation, made and closed outside the measured time: its creation
   * (with the interceptor, a heartbeat producer and a JMX bean) is a start-up cost, not a cost per
   * record.
   */
  @Setup(Level.Invocation)
  public void newReader() {
    reader = consumer("reader-" + UUID.randomUUID());
    TopicPartition tp = new TopicPartition(topic, 0);
    reader.assign(List.of(tp));
    reader.seekToBeginning(List.of(tp));
  }

  @TearDown(Level.Invocation)
  public void closeReader() {
    reader.close();
  }

  @Benchmark
  public long readAll() {
    long read = 0;
    while (read < RECORDS) {
      read += reader.poll(Duration.ofMillis(500)).count();
    }
    return read;
  }

  @TearDown
  public void tearDown() {
    if (holder != null) {
      holder.close();
    }
    kafka.close();
  }
}
