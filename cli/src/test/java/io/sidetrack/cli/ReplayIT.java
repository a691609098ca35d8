package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.cli.audit.AuditLog;
import io.sidetrack.cli.audit.ReplayCommand;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.Topics;
import io.sidetrack.core.routing.Route;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.HttpSchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import io.sidetrack.stream.RegistryStreamApp;
import io.sidetrack.stream.RegistryStreamConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A scripted run on the real broker and registry: at several instants, what {@code
 * sidetrack.routes} held is recorded; afterwards, replay from the audit events alone must give the
 * same routes at each instant.
 */
@Timeout(240)
class ReplayIT {
  private final String bootstrap = SharedInfrastructure.kafka();
  private final String registryUrl = SharedInfrastructure.schemaRegistry();
  private final SchemaRegistryClient registry =
      new HttpSchemaRegistryClient(SchemaRegistryConfig.of(registryUrl));
  private final String prefix = "r" + UUID.randomUUID().toString().substring(0, 8) + ".";
  private final Topics.Names topics = Topics.DEFAULT.withPrefix(prefix);

  @Test
  void replayEqualsWhatTheRoutesTopicHeldAtEveryInstant() throws Exception {
    RegistryStreamConfig config =
        RegistryStreamConfig.builder(bootstrap, SchemaRegistryConfig.of(registryUrl))
            .applicationId("replay-" + UUID.randomUUID())
            .topicPrefix(prefix)
            .stateDir(Files.createTempDirectory("replay-it"))
            .listen("127.0.0.1", 0)
            .partitions(3)
            .replicationFactor(1)
            .leaseCheckInterval(Duration.ofMillis(100))
            .build();
    Map<Instant, Map<String, Route>> snapshots = new LinkedHashMap<>();
    try (RegistryStreamApp app = RegistryStreamApp.start(config);
        var producer =
            new KafkaProducer<>(
                Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(),
                new ByteArraySerializer())) {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> app.streams().state() == KafkaStreams.State.RUNNING);

      send(producer, intercept("a", "orders", "alice", "alice", Duration.ofMinutes(5)));
      send(producer, intercept("b", "payments", "bob", "bob", Duration.ofMinutes(5)));
      record(snapshots, awaitRoutes(r -> r.keySet().equals(Set.of("orders/a", "payments/b"))));

      send(producer, intercept("a", "orders", "alice", "alice-v2", Duration.ofMinutes(5)));
      send(producer, intercept("c", "orders", "carol", "alice-v2", Duration.ofMinutes(5)));
      record(
          snapshots,
          awaitRoutes(
              r ->
                  r.containsKey("orders/a")
                      && r.get("orders/a").match().headers().get(0).value().equals("alice-v2")));

      send(producer, intercept("d", "orders", "dave", "dave", Duration.ofSeconds(2)));
      send(producer, globalIntercept("g", "payments", "gina"));
      record(snapshots, awaitRoutes(r -> r.size() == 4));

      producer.send(new ProducerRecord<>(topics.intercepts(), "b", null)).get();
      record(snapshots, awaitRoutes(r -> r.keySet().equals(Set.of("orders/a", "payments/g"))));

      producer.send(new ProducerRecord<>(topics.intercepts(), "a", null)).get();
      send(producer, intercept("c", "orders", "carol", "alice-v2", Duration.ofMinutes(5)));
      record(snapshots, awaitRoutes(r -> r.keySet().equals(Set.of("orders/c", "payments/g"))));
    }

    try (AuditLog log = new AuditLog(bootstrap, registry, topics.audit())) {
      for (var snapshot : snapshots.entrySet()) {
        Map<String, Route> replayed =
            new TreeMap<>(ReplayCommand.replay(log, snapshot.getKey(), null).routes());
        assertThat(replayed).as("routing at %s", snapshot.getKey()).isEqualTo(snapshot.getValue());
      }
    }
    assertThat(snapshots.values()).extracting(Map::size).containsExactly(2, 2, 4, 2, 2);

    // audit from an instant on reads only what came after it
    Instant fourth = new ArrayList<>(snapshots.keySet()).get(3);
    StringWriter audit = new StringWriter();
    assertThat(
            sidetrack(
                audit, "audit", "--since", fourth.toString(), "--workload", "orders", "-o", "json"))
        .isEqualTo(0);
    List<String> expected;
    try (AuditLog log = new AuditLog(bootstrap, registry, topics.audit())) {
      expected =
          log.readSorted(null, null, "orders").stream()
              .filter(e -> !e.time().isBefore(fourth))
              .map(e -> e.interceptId() + ":" + e.kind())
              .toList();
    }
    assertThat(expected).contains("a:REMOVED", "c:CREATED");
    assertThat(audit.toString().lines().map(l -> new io.vertx.core.json.JsonObject(l)))
        .extracting(j -> j.getString("interceptId") + ":" + j.getString("kind"))
        .containsExactlyElementsOf(expected);

    // the command prints the same, for one workload
    Instant second = new ArrayList<>(snapshots.keySet()).get(1);
    StringWriter out = new StringWriter();
    int code =
        sidetrack(out, "replay", "--at", second.toString(), "--workload", "orders", "-o", "json");
    assertThat(code).isEqualTo(0);
    assertThat(out.toString())
        .contains("\"id\" : \"a\"")
        .contains("alice-v2")
        .doesNotContain("\"id\" : \"c\"")
        .doesNotContain("payments");
  }

  /** Runs a command against this test's cluster, registry and topics; its output goes to out. */
  private int sidetrack(StringWriter out, String... args) {
    var cli = Sidetrack.commandLine();
    cli.setOut(new PrintWriter(out));
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--bootstrap-servers", bootstrap,
            "--schema-registry-url", registryUrl,
            "--topic-prefix", prefix));
    return cli.execute(all.toArray(String[]::new));
  }

  @Test
  void badInputGetsOneLineAndANonZeroExit() {
    for (String[] args :
        List.of(
            new String[] {"replay", "--at", "yesterday-ish"},
            new String[] {"replay", "--at", "2999-01-01T00:00:00Z"},
            new String[] {"audit", "--since", "soon"},
            new String[] {"explain", "--workload", "Not_A_Name"})) {
      StringWriter err = new StringWriter();
      var cli = Sidetrack.commandLine();
      cli.setErr(new PrintWriter(err));
      List<String> all = new ArrayList<>(List.of(args));
      all.addAll(List.of("--bootstrap-servers", bootstrap, "--schema-registry-url", registryUrl));
      assertThat(cli.execute(all.toArray(String[]::new))).as(String.join(" ", args)).isEqualTo(1);
      assertThat(err.toString().lines())
          .hasSize(1)
          .first()
          .asString()
          .startsWith("sidetrack: error: invalid");
    }
  }

  /**
   * Records what the routes topic held at an instant after the step's decisions were seen and
   * before the next step's.
   */
  private static void record(Map<Instant, Map<String, Route>> snapshots, Map<String, Route> routes)
      throws InterruptedException {
    snapshots.put(Instant.now(), routes);
    Thread.sleep(20);
  }

  private Map<String, Route> awaitRoutes(Predicate<Map<String, Route>> expected) {
    List<Map<String, Route>> last = new ArrayList<>(List.of(Map.of()));
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              last.set(0, routesNow());
              return expected.test(last.get(0));
            });
    return last.get(0);
  }

  /** The routes topic folded: key to its latest value, tombstones removing keys. */
  private Map<String, Route> routesNow() {
    var entries = AvroSerde.forValues(registry, RouteEntry.class);
    try (var consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topics.routes()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      Map<String, Route> routes = new TreeMap<>();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        for (var r : consumer.poll(Duration.ofMillis(100))) {
          if (r.value() == null) {
            routes.remove(r.key());
          } else {
            routes.put(r.key(), AvroMapping.toRoute(entries.deserialize(r.topic(), r.value())));
          }
        }
      }
      return routes;
    }
  }

  private void send(KafkaProducer<String, byte[]> producer, Intercept i) throws Exception {
    var serde = AvroSerde.forValues(registry, InterceptRegistration.class);
    producer
        .send(
            new ProducerRecord<>(
                topics.intercepts(),
                i.id(),
                serde.serialize(topics.intercepts(), AvroMapping.toRegistration(i))))
        .get();
  }

  private static Intercept intercept(
      String id, String workload, String owner, String value, Duration ttl) {
    Instant now = Instant.now();
    return new Intercept(
        id,
        workload,
        owner,
        MatchRules.header("x-sidetrack-id", value),
        "router:9000",
        now,
        now.plus(ttl),
        FailureMode.FAIL_OPEN,
        Map.of());
  }

  private static Intercept globalIntercept(String id, String workload, String owner) {
    Instant now = Instant.now();
    return new Intercept(
        id,
        workload,
        owner,
        MatchRules.globalRules(),
        "router:9000",
        now,
        now.plusSeconds(300),
        FailureMode.FAIL_CLOSED,
        Map.of());
  }
}
