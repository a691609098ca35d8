package io.sidetrack.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.Topics;
import io.sidetrack.core.WorkloadPartitioning;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.avro.AuditKind;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryClients;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The control-plane scenario every integration test runs on a real cluster and a real registry:
 * registrations published with a plain producer, decisions read back from the topics and the query
 * API.
 */
abstract class ControlPlaneScenario {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  final String prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + ".";
  final Topics.Names topics = Topics.DEFAULT.withPrefix(prefix);

  abstract String bootstrapServers();

  abstract String schemaRegistryUrl();

  RegistryStreamConfig config(String applicationId) throws Exception {
    return RegistryStreamConfig.builder(
            bootstrapServers(), SchemaRegistryConfig.of(schemaRegistryUrl()))
        .applicationId(applicationId)
        .topicPrefix(prefix)
        .stateDir(Files.createTempDirectory("registry-stream-it"))
        .listen("127.0.0.1", 0)
        .partitions(3)
        .replicationFactor(1)
        .leaseCheckInterval(Duration.ofMillis(200))
        .build();
  }

  SchemaRegistryClient registry() {
    return SchemaRegistryClients.create(SchemaRegistryConfig.of(schemaRegistryUrl()));
  }

  static Intercept intercept(
      String id, String workload, String owner, MatchRules match, Duration ttl) {
    Instant now = Instant.now();
    return new Intercept(
        id,
        workload,
        owner,
        match,
        "router-1:9000",
        now,
        now.plus(ttl),
        FailureMode.FAIL_OPEN,
        Map.of("team", "checkout"));
  }

  KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(
        Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  void publish(KafkaProducer<String, byte[]> producer, Intercept intercept) throws Exception {
    AvroSerde<InterceptRegistration> serde =
        AvroSerde.forValues(registry(), InterceptRegistration.class);
    producer
        .send(
            new ProducerRecord<>(
                topics.intercepts(),
                intercept.id(),
                serde.serialize(topics.intercepts(), AvroMapping.toRegistration(intercept))))
        .get();
  }

  void publishRaw(KafkaProducer<String, byte[]> producer, String key, byte[] value)
      throws Exception {
    producer.send(new ProducerRecord<>(topics.intercepts(), key, value)).get();
  }

  <V> KafkaConsumer<String, V> consumer(String topic, Deserializer<V> values) {
    var consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new StringDeserializer(),
            values);
    consumer.subscribe(List.of(topic));
    return consumer;
  }

  static <V> List<ConsumerRecord<String, V>> pollUntil(
      KafkaConsumer<String, V> consumer, List<ConsumerRecord<String, V>> seen, int count) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
              return seen.size() >= count;
            });
    return seen;
  }

  static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static void awaitRunning(RegistryStreamApp... apps) {
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> {
              for (RegistryStreamApp app : apps) {
                if (app.streams().state() != KafkaStreams.State.RUNNING) {
                  return false;
                }
              }
              return true;
            });
  }

  /** The scenario on one instance. */
  void decidesRegistrationsEndToEnd() throws Exception {
    try (RegistryStreamApp app = RegistryStreamApp.start(config("it-" + UUID.randomUUID()));
        var producer = producer();
        var routes = consumer(topics.routes(), AvroSerde.forValues(registry(), RouteEntry.class));
        var audit = consumer(topics.audit(), AvroSerde.forValues(registry(), AuditEvent.class))) {
      awaitRunning(app);

      publish(
          producer,
          intercept(
              "i-alice",
              "orders",
              "alice",
              MatchRules.header("x-sidetrack-id", "alice"),
              Duration.ofMinutes(5)));
      // registrations keyed by different ids share no order until registry-stream decides them:
      // "the later" is the later to be decided
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> get(app.url() + "/intercepts/i-alice").statusCode() == 200);
      publish(
          producer,
          intercept(
              "i-bob",
              "orders",
              "bob",
              MatchRules.header("x-sidetrack-id", "alice"),
              Duration.ofMinutes(5)));
      publishRaw(producer, "i-junk", new byte[] {1, 2, 3});
      publish(
          producer,
          intercept(
              "i-short",
              "payments",
              "carol",
              MatchRules.header("x-sidetrack-id", "carol"),
              Duration.ofSeconds(2)));

      List<ConsumerRecord<String, AuditEvent>> events = pollUntil(audit, new ArrayList<>(), 4);
      assertThat(events)
          .extracting(r -> r.value().getInterceptId() + ":" + r.value().getKind())
          .contains("i-alice:CREATED", "i-bob:REJECTED", "i-short:CREATED", "i-short:EXPIRED");
      ConsumerRecord<String, AuditEvent> rejected =
          events.stream()
              .filter(r -> r.value().getKind() == AuditKind.REJECTED)
              .findFirst()
              .orElseThrow();
      assertThat(rejected.value().getReason()).contains("i-alice").contains("alice");
      // audit is keyed by workload and lands on the workload's partition
      assertThat(rejected.key()).isEqualTo("orders");
      assertThat(rejected.partition()).isEqualTo(WorkloadPartitioning.partitionOf("orders", 3));

      List<ConsumerRecord<String, RouteEntry>> routeRecords =
          pollUntil(routes, new ArrayList<>(), 3);
      assertThat(routeRecords)
          .extracting(ConsumerRecord::key)
          .containsExactlyInAnyOrder("orders/i-alice", "payments/i-short", "payments/i-short");
      List<ConsumerRecord<String, RouteEntry>> shortLived =
          routeRecords.stream().filter(r -> r.key().equals("payments/i-short")).toList();
      assertThat(shortLived.get(0).value()).isNotNull();
      assertThat(shortLived.get(1).value()).as("tombstone after expiry").isNull();
      ConsumerRecord<String, RouteEntry> aliceRoute =
          routeRecords.stream().filter(r -> r.key().equals("orders/i-alice")).findFirst().get();
      assertThat(aliceRoute.partition()).isEqualTo(WorkloadPartitioning.partitionOf("orders", 3));
      assertThat(aliceRoute.value().getOwner()).isEqualTo("alice");

      JsonObject alice = new JsonObject(get(app.url() + "/intercepts/i-alice").body());
      assertThat(alice.getString("status")).isEqualTo("ACTIVE");
      assertThat(alice.getString("owner")).isEqualTo("alice");
      JsonObject bob = new JsonObject(get(app.url() + "/intercepts/i-bob").body());
      assertThat(bob.getString("status")).isEqualTo("REJECTED");
      assertThat(bob.getString("reason")).contains("conflicts with intercept i-alice of alice");
      assertThat(new JsonObject(get(app.url() + "/intercepts/i-short").body()).getString("status"))
          .isEqualTo("EXPIRED");
      assertThat(get(app.url() + "/intercepts/nope").statusCode()).isEqualTo(404);

      JsonObject orders = new JsonObject(get(app.url() + "/workloads/orders/routes").body());
      assertThat(orders.getJsonArray("routes")).hasSize(1);
      assertThat(orders.getJsonArray("routes").getJsonObject(0).getString("id"))
          .isEqualTo("i-alice");
      assertThat(get(app.url() + "/workloads/Not_Valid/routes").statusCode()).isEqualTo(400);

      JsonArray all = new JsonArray(get(app.url() + "/intercepts").body());
      assertThat(all).hasSize(3);

      String metrics = get(app.url() + "/metrics").body();
      assertThat(metrics).contains("sidetrack_registry_dlq_records_total 1.0");
      assertThat(metrics).contains("sidetrack_registry_rejections_total{reason=\"conflict\"} 1.0");
      assertThat(metrics).contains("kafka_stream");
      assertThat(get(app.url() + "/ready").statusCode()).isEqualTo(200);
      assertThat(get(app.url() + "/health").statusCode()).isEqualTo(200);

      var dlq =
          consumer(
              topics.interceptsDlq(),
              new org.apache.kafka.common.serialization.ByteArrayDeserializer());
      assertThat(pollUntil(dlq, new ArrayList<>(), 1).get(0).key()).isEqualTo("i-junk");
      dlq.close();

      // a tombstone withdraws the route
      publishRaw(producer, "i-alice", null);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> get(app.url() + "/intercepts/i-alice").statusCode() == 404);
      pollUntil(routes, routeRecords, 4);
      assertThat(routeRecords.get(3).key()).isEqualTo("orders/i-alice");
      assertThat(routeRecords.get(3).value()).as("tombstone after removal").isNull();
    }
  }
}
