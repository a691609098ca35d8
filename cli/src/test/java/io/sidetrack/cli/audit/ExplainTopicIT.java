package io.sidetrack.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.cli.Sidetrack;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.Topics;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.registry.HttpSchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import io.sidetrack.stream.RegistryStreamApp;
import io.sidetrack.stream.RegistryStreamConfig;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code sidetrack explain --topic}: a record with given headers, decided against the routes of a
 * real registry-stream as the consumer interceptor decides it.
 */
@Timeout(240)
class ExplainTopicIT {
  private final String bootstrap = SharedInfrastructure.kafka();
  private final String registryUrl = SharedInfrastructure.schemaRegistry();
  private final String prefix = "x" + UUID.randomUUID().toString().substring(0, 8) + ".";
  private final Topics.Names topics = Topics.DEFAULT.withPrefix(prefix);

  /** The destination explain prints, or null while it fails (the workload not known yet). */
  private String destinationOrNull(String... args) {
    try {
      return explain(args).getString("destination");
    } catch (AssertionError notYet) {
      return null;
    }
  }

  private JsonObject explain(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = Sidetrack.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    List<String> all = new ArrayList<>(List.of("explain", "--workload", "orders", "-o", "json"));
    all.addAll(List.of(args));
    all.addAll(
        List.of(
            "--bootstrap-servers", bootstrap,
            "--schema-registry-url", registryUrl,
            "--topic-prefix", prefix));
    assertThat(cli.execute(all.toArray(String[]::new))).as(err.toString()).isZero();
    return new JsonObject(out.toString());
  }

  @Test
  void explainsARecordByItsHeadersOnTheTopicsTheInterceptTakes() throws Exception {
    RegistryStreamConfig config =
        RegistryStreamConfig.builder(bootstrap, SchemaRegistryConfig.of(registryUrl))
            .applicationId("explain-" + UUID.randomUUID())
            .topicPrefix(prefix)
            .stateDir(Files.createTempDirectory("explain-it"))
            .listen("127.0.0.1", 0)
            .partitions(3)
            .replicationFactor(1)
            .build();
    try (RegistryStreamApp app = RegistryStreamApp.start(config);
        var producer =
            new KafkaProducer<>(
                Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(),
                new ByteArraySerializer())) {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> app.streams().state() == KafkaStreams.State.RUNNING);
      Instant now = Instant.now();
      Intercept alice =
          new Intercept(
                  "i-alice",
                  "orders",
                  "alice",
                  MatchRules.personal("alice"),
                  "router:9000",
                  now,
                  now.plusSeconds(300),
                  FailureMode.FAIL_OPEN,
                  Map.of())
              .withTopics(List.of("orders.created"));
      var serde =
          AvroSerde.forValues(
              new HttpSchemaRegistryClient(SchemaRegistryConfig.of(registryUrl)),
              InterceptRegistration.class);
      producer
          .send(
              new ProducerRecord<>(
                  topics.intercepts(),
                  alice.id(),
                  serde.serialize(topics.intercepts(), AvroMapping.toRegistration(alice))))
          .get();

      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  "intercept"
                      .equals(
                          destinationOrNull(
                              "--topic", "orders.created", "--header", "x-sidetrack-id=alice")));
      JsonObject taken = explain("--topic", "orders.created", "--baggage", "sidetrack-id=alice");
      assertThat(taken.getString("destination")).isEqualTo("intercept");
      assertThat(taken.getString("interceptId")).isEqualTo("i-alice");
      assertThat(taken.getString("rule")).isEqualTo("baggage sidetrack-id = alice");
      assertThat(taken.getJsonArray("routeTopics").getList()).containsExactly("orders.created");

      assertThat(
              explain("--topic", "orders.created", "--header", "x-sidetrack-id=bob")
                  .getString("destination"))
          .isEqualTo("kept");
      assertThat(
              explain("--topic", "payments", "--header", "x-sidetrack-id=alice")
                  .getString("destination"))
          .isEqualTo("kept");
      // the same headers as a request: the intercept takes it over HTTP too
      assertThat(explain("--header", "x-sidetrack-id=alice").getString("destination"))
          .isEqualTo("intercept");
    }
  }
}
