package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.Topics;
import io.sidetrack.core.WorkloadPartitioning;
import io.sidetrack.embedded.Ports;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.AgentHeartbeat;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.registry.HttpSchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import io.sidetrack.stream.RegistryStreamApp;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The queue-split example in schemas/examples/queue-split (Node.js, kafkajs and a third-party Avro
 * client, no Sidetrack code) as a cluster consumer of a workload and as a developer's own consumer,
 * against a real broker, schema registry and registry-stream: while alice's intercept of {@code
 * orders} takes the topic, the cluster consumer processes only the records without her header or
 * baggage member and her consumer only hers (an unsigned route is refused by the consumer that
 * trusts the routers' key); before the intercept and after its removal the cluster consumer
 * processes all. The cluster consumer reports the routes applied to {@code sidetrack.agents} as an
 * edge agent does, and a tombstone when it stops. Skipped where Node.js or the example's
 * dependencies are missing (.ci/run installs them).
 */
@Timeout(180)
class QueueSplitNodeExampleIT {
  private static final Path EXAMPLE =
      Path.of("..", "schemas", "examples", "queue-split").toAbsolutePath().normalize();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String AGENT_ID = "orders-node-it";

  private final String bootstrap = SharedInfrastructure.kafka();
  private final String registryUrl = SharedInfrastructure.schemaRegistry();
  private final String prefix = "q" + UUID.randomUUID().toString().substring(0, 8) + ".";
  private final Topics.Names topics = Topics.DEFAULT.withPrefix(prefix);
  private final String appTopic = prefix + "orders.created";

  @Test
  void nodeConsumerSkipsExactlyTheRecordsTheDevelopersInterceptTakes() throws Exception {
    assumeThat(EXAMPLE.resolve("node_modules/kafkajs")).as("npm install was run").exists();
    assumeThat(new ProcessBuilder("node", "--version").start().waitFor()).isZero();

    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(appTopic, 1, (short) 1))).all().get();
    }
    try (RegistryStreamApp stream =
            TestRegistryStream.start(bootstrap, registryUrl, prefix, "queue-split-node");
        var producer =
            new KafkaProducer<>(
                Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(),
                new ByteArraySerializer());
        // the workload's consumer in the cluster, trusting only the routers' key
        NodeConsumer cluster =
            NodeConsumer.start(
                "cluster",
                args(
                    "--group",
                    prefix + "orders",
                    "--trusted-router-keys",
                    TestRouterKeys.publicFile(),
                    "--agent-id",
                    AGENT_ID,
                    "--heartbeat-interval-ms",
                    "500"));
        // alice's own consumer on her laptop
        NodeConsumer laptop =
            NodeConsumer.start(
                "laptop",
                args(
                    "--group",
                    prefix + "alice",
                    "--mode",
                    "developer",
                    "--developer-id",
                    "alice"))) {
      cluster.awaitLog("routes of orders applied up to offset");
      int partition = WorkloadPartitioning.partitionOf("orders", 3);
      assertThat(cluster.log())
          .anyMatch(l -> l.contains("reading partition " + partition + " of " + topics.routes()));

      // before any intercept: the cluster's consumer processes every record
      produce(producer, "a1", "x-sidetrack-id", "alice");
      produce(producer, "b1", "baggage", "foo=bar,sidetrack-id=alice;p=1");
      produce(producer, "n1", null, null);
      cluster.awaitProcessed("n1");
      assertThat(cluster.processed()).containsExactly("a1", "b1", "n1");

      // alice's intercept, signed by a router, and bob's, unsigned: registry-stream publishes both
      register(producer, TestRouterKeys.SIGNER.sign(intercept("i-alice", "alice")));
      register(producer, intercept("i-bob", "bob"));
      cluster.awaitLog("route i-bob refused: unsigned");
      cluster.awaitLog("1 take records of [" + appTopic + "] (intercepts i-alice)");
      laptop.awaitLog("2 take records of [" + appTopic + "] (intercepts i-alice,i-bob)");
      // the cluster consumer reports having applied alice's route, as an edge agent does
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                AgentHeartbeat beat = heartbeats().get(AGENT_ID);
                assertThat(beat).isNotNull();
                assertThat(beat.getWorkload()).isEqualTo("orders");
                assertThat(beat.getPartition()).isEqualTo(partition);
                assertThat(beat.getReady()).isTrue();
                assertThat(beat.getRoutes()).isEqualTo(1);
                assertThat(beat.getAppliedOffset()).isPositive();
              });

      produce(producer, "a2", "X-Sidetrack-Id", "alice");
      produce(producer, "b2", "baggage", "foo=bar,sidetrack-id=alice;p=1");
      produce(producer, "c2", "x-sidetrack-id", "bob");
      produce(producer, "n2", null, null);
      cluster.awaitProcessed("n2");
      laptop.awaitSkipped("n2");
      // bob's route is not signed by a trusted router: the cluster consumer does not skip by it
      assertThat(cluster.processed()).containsExactly("a1", "b1", "n1", "c2", "n2");
      assertThat(cluster.skipped())
          .containsExactly(
              "a2 by i-alice of alice: x-sidetrack-id = alice",
              "b2 by i-alice of alice: baggage sidetrack-id = alice");
      assertThat(laptop.processed()).containsExactly("a2", "b2");

      // alice leaves: the cluster consumer processes her records again
      int clusterMark = cluster.mark();
      int laptopMark = laptop.mark();
      assertThat(
              Sidetrack.commandLine()
                  .setOut(new PrintWriter(new StringWriter()))
                  .execute(
                      "unregister",
                      "i-alice",
                      "--bootstrap-servers",
                      bootstrap,
                      "--schema-registry-url",
                      registryUrl,
                      "--topic-prefix",
                      prefix))
          .isZero();
      cluster.awaitLog("0 take records of [] (intercepts none)", clusterMark);
      laptop.awaitLog("1 take records of [" + appTopic + "] (intercepts i-bob)", laptopMark);
      produce(producer, "a3", "x-sidetrack-id", "alice");
      produce(producer, "b3", "baggage", "sidetrack-id=alice");
      produce(producer, "n3", null, null);
      cluster.awaitProcessed("n3");
      laptop.awaitSkipped("n3");
      assertThat(cluster.processed())
          .containsExactly("a1", "b1", "n1", "c2", "n2", "a3", "b3", "n3");
      assertThat(laptop.processed()).containsExactly("a2", "b2");

      // stopped, it marks itself gone
      cluster.close();
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                Map<String, AgentHeartbeat> beats = heartbeats();
                assertThat(beats).containsKey(AGENT_ID);
                assertThat(beats.get(AGENT_ID)).isNull();
              });
    }
  }

  /** The latest value per key of the agents topic (null: a tombstone). */
  private Map<String, AgentHeartbeat> heartbeats() {
    var serde =
        AvroSerde.forValues(
            new HttpSchemaRegistryClient(SchemaRegistryConfig.of(registryUrl)),
            AgentHeartbeat.class);
    Map<String, AgentHeartbeat> latest = new HashMap<>();
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
          consumer.partitionsFor(topics.agents()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (var r : consumer.poll(Duration.ofMillis(200))) {
          latest.put(r.key(), r.value() == null ? null : serde.deserialize(r.topic(), r.value()));
        }
      }
    }
    return latest;
  }

  @Test
  void keepsEveryRecordWhileSidetracksKafkaIsUnreachable() throws Exception {
    assumeThat(EXAMPLE.resolve("node_modules/kafkajs")).as("npm install was run").exists();
    assumeThat(new ProcessBuilder("node", "--version").start().waitFor()).isZero();
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(appTopic, 1, (short) 1))).all().get();
    }
    // nothing listens there: the routes are never read
    String nowhere = "127.0.0.1:" + Ports.free();
    try (var producer =
            new KafkaProducer<>(
                Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(),
                new ByteArraySerializer());
        NodeConsumer cluster =
            NodeConsumer.start(
                "unreachable",
                args("--group", prefix + "orders", "--sidetrack-bootstrap", nowhere))) {
      produce(producer, "a1", "x-sidetrack-id", "alice");
      produce(producer, "b1", "baggage", "sidetrack-id=alice");
      cluster.awaitProcessed("b1");
      assertThat(cluster.processed()).containsExactly("a1", "b1");
      cluster.awaitLog("routes not read within 500 ms; no record is skipped until they are");
    }
  }

  @Test
  void exampleUnitTestsPass() throws Exception {
    assumeThat(EXAMPLE.resolve("node_modules/kafkajs")).as("npm install was run").exists();
    assumeThat(new ProcessBuilder("node", "--version").start().waitFor()).isZero();
    Path output = Files.createTempFile("queue-split-unit", ".out");
    // matching, baggage, precedence, murmur2, signatures, settings: node's own test runner
    Process node =
        new ProcessBuilder("node", "--test")
            .directory(EXAMPLE.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    assertThat(node.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(node.exitValue()).as(Files.readString(output)).isZero();
    assertThat(Files.readString(output)).contains("# fail 0").doesNotContain("# pass 0");
  }

  private List<String> args(String... more) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "--workload",
                "orders",
                "--topic",
                appTopic,
                "--bootstrap",
                bootstrap,
                "--registry",
                registryUrl,
                "--topic-prefix",
                prefix,
                "--from-beginning"));
    all.addAll(List.of(more));
    return all;
  }

  private void produce(
      KafkaProducer<String, byte[]> producer, String key, String header, String value)
      throws Exception {
    var record =
        new ProducerRecord<>(appTopic, key, ("order " + key).getBytes(StandardCharsets.UTF_8));
    if (header != null) {
      record.headers().add(header, value.getBytes(StandardCharsets.UTF_8));
    }
    producer.send(record).get();
  }

  private Intercept intercept(String id, String owner) {
    Instant now = Instant.now();
    return new Intercept(
            id,
            "orders",
            owner,
            MatchRules.personal(owner),
            "router:9000",
            now,
            now.plusSeconds(300),
            FailureMode.FAIL_OPEN,
            Map.of())
        .withTopics(List.of(appTopic));
  }

  private void register(KafkaProducer<String, byte[]> producer, Intercept intercept)
      throws Exception {
    var serde =
        AvroSerde.forValues(
            new HttpSchemaRegistryClient(SchemaRegistryConfig.of(registryUrl)),
            InterceptRegistration.class);
    producer
        .send(
            new ProducerRecord<>(
                topics.intercepts(),
                intercept.id(),
                serde.serialize(topics.intercepts(), AvroMapping.toRegistration(intercept))))
        .get();
  }

  /** One run of the example: its stdout (records) and stderr (status) lines as they come. */
  private static final class NodeConsumer implements AutoCloseable {
    private final Process process;
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();

    private NodeConsumer(String name, Process process) {
      this.process = process;
      follow(name, process.getInputStream(), out);
      follow(name, process.getErrorStream(), err);
    }

    /**
     * Runs the example with {@code args}; its lines are echoed to the test's log as {@code name}.
     */
    static NodeConsumer start(String name, List<String> args) throws Exception {
      List<String> command = new ArrayList<>(List.of("node", "consumer.js"));
      command.addAll(args);
      return new NodeConsumer(
          name, new ProcessBuilder(command).directory(EXAMPLE.toFile()).start());
    }

    private static void follow(String name, InputStream stream, List<String> lines) {
      Thread t =
          new Thread(
              () -> {
                try (var reader =
                    new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = reader.readLine()) != null) {
                    System.out.println(Instant.now() + " [" + name + "] " + line);
                    lines.add(line);
                  }
                } catch (java.io.IOException e) {
                  // the process ended
                }
              },
              "node-output");
      t.setDaemon(true);
      t.start();
    }

    List<String> log() {
      return err;
    }

    /** The keys of the records processed, in order. */
    List<String> processed() {
      return keysOf("processed ");
    }

    /** "KEY by INTERCEPT of OWNER: RULE" of the records skipped, in order. */
    List<String> skipped() {
      return keysOf("skipped ");
    }

    private List<String> keysOf(String kind) {
      List<String> keys = new ArrayList<>();
      for (String line : out) {
        if (line.startsWith(kind)) {
          // processed TOPIC PARTITION OFFSET KEY[ by ...]
          keys.add(line.split(" ", 5)[4]);
        }
      }
      return keys;
    }

    /** How many status lines there are now, for {@link #awaitLog(String, int)}. */
    int mark() {
      return err.size();
    }

    void awaitLog(String part) {
      awaitLog(part, 0);
    }

    /** Waits for a status line with {@code part} among those from the {@code from}th on. */
    void awaitLog(String part, int from) {
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                // a copy: a subList of the live list fails (ConcurrentModificationException, which
                // awaitility does not retry) when a line comes while a miss is being described
                List<String> lines = List.copyOf(err);
                assertThat(lines.subList(Math.min(from, lines.size()), lines.size()))
                    .anyMatch(l -> l.contains(part));
              });
    }

    void awaitProcessed(String key) {
      await().atMost(WAIT).untilAsserted(() -> assertThat(processed()).contains(key));
    }

    void awaitSkipped(String key) {
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> assertThat(skipped()).anyMatch(s -> s.equals(key) || s.startsWith(key + " ")));
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
