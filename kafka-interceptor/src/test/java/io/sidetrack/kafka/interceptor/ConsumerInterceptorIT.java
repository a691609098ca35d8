package io.sidetrack.kafka.interceptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.Topics;
import io.sidetrack.core.trust.Keys;
import io.sidetrack.core.trust.RouteSigner;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.AgentHeartbeat;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryClients;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import io.sidetrack.stream.RegistryStreamApp;
import io.sidetrack.stream.RegistryStreamConfig;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The interceptor on a real broker, a real schema registry and a real registry-stream: a
 * developer's intercept registered as a router registers it (signed), records with and without the
 * developer's header, consumed by a plain {@link KafkaConsumer} and by a Kafka Streams app that
 * only name the interceptor in their configuration.
 */
@Timeout(240)
class ConsumerInterceptorIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String PREFIX = "ci" + UUID.randomUUID().toString().substring(0, 8) + ".";
  private static final Topics.Names TOPICS = Topics.DEFAULT.withPrefix(PREFIX);
  private static final KeyPair ROUTER = Keys.generate();

  private static RegistryStreamApp registryStream;
  private static SchemaRegistryClient registry;
  private static Admin admin;
  private static KafkaProducer<String, byte[]> producer;
  private static Path trustedKey;

  private String workload;
  private String topic;

  @BeforeAll
  static void startControlPlane() throws Exception {
    String kafka = SharedInfrastructure.kafka();
    String url = SharedInfrastructure.schemaRegistry();
    registryStream =
        RegistryStreamApp.start(
            RegistryStreamConfig.builder(kafka, SchemaRegistryConfig.of(url))
                .applicationId("ci-" + UUID.randomUUID())
                .topicPrefix(PREFIX)
                .stateDir(Files.createTempDirectory("registry-stream-ci"))
                .listen("127.0.0.1", 0)
                .partitions(3)
                .replicationFactor(1)
                .leaseCheckInterval(Duration.ofMillis(200))
                .build());
    registry = SchemaRegistryClients.create(SchemaRegistryConfig.of(url));
    admin = Admin.create(Map.of("bootstrap.servers", kafka));
    producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka),
            new StringSerializer(),
            new ByteArraySerializer());
    trustedKey = Files.createTempFile("router-signing", ".pub.pem");
    Files.writeString(trustedKey, Keys.publicKeyPem(ROUTER.getPublic()));
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> registryStream.streams().state() == KafkaStreams.State.RUNNING);
  }

  @AfterAll
  static void stopControlPlane() {
    producer.close();
    admin.close();
    registryStream.close();
  }

  @BeforeEach
  void newWorkloadAndTopic() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    workload = "orders-" + suffix;
    topic = "orders.created-" + suffix;
    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
  }

  private Map<String, Object> interceptorSettings() {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG, SidetrackConsumerInterceptor.class.getName());
    p.put(InterceptorConfig.WORKLOAD_CONFIG, workload);
    p.put(InterceptorConfig.SCHEMA_REGISTRY_URL_CONFIG, SharedInfrastructure.schemaRegistry());
    p.put(InterceptorConfig.TOPIC_PREFIX_CONFIG, PREFIX);
    p.put(InterceptorConfig.TRUSTED_ROUTER_KEYS_CONFIG, trustedKey.toString());
    return p;
  }

  private KafkaConsumer<String, String> consumer(String clientId, Map<String, Object> extra) {
    Map<String, Object> p = new HashMap<>(interceptorSettings());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafka());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "group-" + clientId);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.putAll(extra);
    KafkaConsumer<String, String> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    c.subscribe(List.of(topic));
    return c;
  }

  /** Registers alice's personal intercept with the topic, signed as a router signs it. */
  private Intercept registerAlice() throws Exception {
    Instant now = Instant.now();
    Intercept alice =
        new RouteSigner(ROUTER)
            .sign(
                new Intercept(
                        "alice-" + workload,
                        workload,
                        "alice",
                        MatchRules.personal("alice"),
                        "router-1:8071",
                        now,
                        now.plus(Duration.ofMinutes(5)),
                        FailureMode.FAIL_OPEN,
                        Map.of())
                    .withTopics(List.of(topic)));
    AvroSerde<InterceptRegistration> serde =
        AvroSerde.forValues(registry, InterceptRegistration.class);
    producer
        .send(
            new ProducerRecord<>(
                TOPICS.intercepts(),
                alice.id(),
                serde.serialize(TOPICS.intercepts(), AvroMapping.toRegistration(alice))))
        .get();
    return alice;
  }

  private void leave(Intercept i) throws Exception {
    producer.send(new ProducerRecord<>(TOPICS.intercepts(), i.id(), null)).get();
  }

  private static Object metric(String clientId, String attribute) throws Exception {
    return ManagementFactory.getPlatformMBeanServer()
        .getAttribute(
            new ObjectName(
                "io.sidetrack:type=kafka-interceptor,client-id=" + ObjectName.quote(clientId)),
            attribute);
  }

  /** r1 plain, r2 alice's header, r3 alice's baggage, r4 bob's header, r5 plain. */
  private void produceMixed(String run) throws Exception {
    send(run + "-r1", Map.of());
    send(run + "-r2", Map.of("x-sidetrack-id", "alice"));
    send(run + "-r3", Map.of("baggage", "sidetrack-id=alice,tenant=t1"));
    send(run + "-r4", Map.of("X-Sidetrack-Id", "bob"));
    send(run + "-r5", Map.of());
  }

  private void send(String value, Map<String, String> headers) throws Exception {
    ProducerRecord<String, byte[]> r =
        new ProducerRecord<>(topic, "k", value.getBytes(StandardCharsets.UTF_8));
    headers.forEach((k, v) -> r.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
    producer.send(r).get();
  }

  private static List<String> pollUntil(
      KafkaConsumer<String, String> c, List<String> into, String last) {
    await()
        .atMost(WAIT)
        .until(
            () -> {
              for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                into.add(r.value());
              }
              return into.contains(last);
            });
    return into;
  }

  @Test
  void theClusterConsumerNeverSeesTheDevelopersRecordsAndSeesThemAgainAfterLeave()
      throws Exception {
    String client = "cluster-" + workload;
    try (KafkaConsumer<String, String> cluster = consumer(client, Map.of())) {
      cluster.poll(Duration.ofMillis(100));
      Intercept alice = registerAlice();
      await().atMost(WAIT).until(() -> (Integer) metric(client, "Routes") == 1);

      produceMixed("a");
      List<String> seen = pollUntil(cluster, new ArrayList<>(), "a-r5");

      assertThat(seen).containsExactly("a-r1", "a-r4", "a-r5");
      assertThat((Long) metric(client, "RecordsRemoved")).isEqualTo(2L);
      // offsets move past the records removed: the commit is past r5
      cluster.commitSync();
      Map<TopicPartition, OffsetAndMetadata> committed =
          cluster.committed(java.util.Set.of(new TopicPartition(topic, 0)));
      assertThat(committed.get(new TopicPartition(topic, 0)).offset()).isEqualTo(5L);

      // it reports the route applied, as an edge agent does: the router's activation counts it
      assertHeartbeatApplied(alice);

      leave(alice);
      await().atMost(WAIT).until(() -> (Integer) metric(client, "Routes") == 0);
      produceMixed("b");
      assertThat(pollUntil(cluster, new ArrayList<>(), "b-r5"))
          .containsExactly("b-r1", "b-r2", "b-r3", "b-r4", "b-r5");
    }
  }

  private void assertHeartbeatApplied(Intercept alice) {
    AvroSerde<RouteEntry> routes = AvroSerde.forValues(registry, RouteEntry.class);
    AvroSerde<AgentHeartbeat> beats = AvroSerde.forValues(registry, AgentHeartbeat.class);
    try (KafkaConsumer<String, byte[]> read =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafka(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (String t : List.of(TOPICS.routes(), TOPICS.agents())) {
        read.partitionsFor(t).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
      }
      read.assign(parts);
      read.seekToBeginning(parts);
      long[] routeAt = {-1, -1};
      List<AgentHeartbeat> mine = new ArrayList<>();
      await()
          .atMost(WAIT)
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : read.poll(Duration.ofMillis(200))) {
                  if (r.value() == null) {
                    continue;
                  }
                  if (r.topic().equals(TOPICS.routes())
                      && r.key().equals(workload + "/" + alice.id())) {
                    RouteEntry e = routes.deserialize(r.topic(), r.value());
                    assertThat(e.getTopics()).containsExactly(topic);
                    routeAt[0] = r.partition();
                    routeAt[1] = r.offset();
                  } else if (r.topic().equals(TOPICS.agents())) {
                    AgentHeartbeat b = beats.deserialize(r.topic(), r.value());
                    if (b.getWorkload().equals(workload)) {
                      mine.add(b);
                    }
                  }
                }
                return routeAt[1] >= 0
                    && mine.stream()
                        .anyMatch(
                            b ->
                                b.getPartition() == routeAt[0]
                                    && b.getAppliedOffset() > routeAt[1]
                                    && b.getReady());
              });
      assertThat(mine.get(0).getAgentId()).startsWith(workload + "-kafka-");
    }
  }

  @Test
  void aKafkaStreamsAppWithTheInterceptorSkipsTheDevelopersRecords() throws Exception {
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(topic, Consumed.with(Serdes.String(), Serdes.String()))
        .foreach((k, v) -> seen.add(v));
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "streams-" + workload);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafka());
    p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("streams").toString());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    interceptorSettings()
        .forEach(
            (k, v) ->
                p.put(
                    k.equals(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG)
                        ? StreamsConfig.consumerPrefix(k)
                        : StreamsConfig.consumerPrefix(k),
                    v));
    Intercept alice = registerAlice();
    try (KafkaStreams streams = new KafkaStreams(builder.build(), p)) {
      streams.start();
      await().atMost(WAIT).until(() -> streams.state() == KafkaStreams.State.RUNNING);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  ManagementFactory.getPlatformMBeanServer()
                      .queryNames(
                          new ObjectName("io.sidetrack:type=kafka-interceptor,client-id=*"), null)
                      .stream()
                      .filter(n -> n.getKeyProperty("client-id").contains("streams-" + workload))
                      .anyMatch(
                          n -> {
                            try {
                              return (Integer)
                                      ManagementFactory.getPlatformMBeanServer()
                                          .getAttribute(n, "Routes")
                                  == 1;
                            } catch (Exception e) {
                              return false;
                            }
                          }));

      produceMixed("s");
      await().atMost(WAIT).until(() -> seen.contains("s-r5"));
      assertThat(seen).containsExactly("s-r1", "s-r4", "s-r5");

      leave(alice);
      await()
          .atMost(WAIT)
          .until(
              () -> {
                send("probe-" + System.nanoTime(), Map.of("x-sidetrack-id", "alice"));
                return seen.stream().anyMatch(v -> v.startsWith("probe-"));
              });
    }
  }

  @Test
  void developerModeKeepsOnlyTheDevelopersRecords() throws Exception {
    String client = "laptop-" + workload;
    try (KafkaConsumer<String, String> laptop =
        consumer(
            client,
            Map.of(
                InterceptorConfig.MODE_CONFIG,
                "developer",
                InterceptorConfig.DEVELOPER_ID_CONFIG,
                "alice"))) {
      laptop.poll(Duration.ofMillis(100));
      registerAlice();
      await().atMost(WAIT).until(() -> (Integer) metric(client, "Routes") == 1);

      produceMixed("d");
      send("d-end", Map.of("x-sidetrack-id", "alice"));

      assertThat(pollUntil(laptop, new ArrayList<>(), "d-end"))
          .containsExactly("d-r2", "d-r3", "d-end");
    }
  }

  @Test
  void withSidetracksKafkaUnreachableItFailsOpenWithinTheFirstReadWait() throws Exception {
    String client = "unreachable-" + workload;
    registerAlice();
    try (KafkaConsumer<String, String> cluster =
        consumer(
            client,
            Map.of(
                InterceptorConfig.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:1",
                InterceptorConfig.FIRST_READ_WAIT_MS_CONFIG,
                "300"))) {
      produceMixed("u");
      List<String> seen = new ArrayList<>();
      long longestPoll = 0;
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!seen.contains("u-r5") && System.nanoTime() < deadline) {
        long t0 = System.nanoTime();
        for (ConsumerRecord<String, String> r : cluster.poll(Duration.ofMillis(200))) {
          seen.add(r.value());
        }
        longestPoll = Math.max(longestPoll, (System.nanoTime() - t0) / 1_000_000);
      }

      assertThat(seen).containsExactly("u-r1", "u-r2", "u-r3", "u-r4", "u-r5");
      // a poll waits at most its own timeout plus the bounded first-read wait (and some slack)
      assertThat(longestPoll).isLessThan(200 + 300 + 1500);
      assertThat((Boolean) metric(client, "CaughtUp")).isFalse();
    }
  }
}
