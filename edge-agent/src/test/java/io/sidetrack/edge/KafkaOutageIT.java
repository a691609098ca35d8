package io.sidetrack.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.Topics;
import io.sidetrack.core.WorkloadPartitioning;
import io.sidetrack.embedded.EmbeddedKafka;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.HttpSchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import io.sidetrack.stream.TopicSetup;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Route entries published straight to sidetrack.routes of a broker of the test's own, which the
 * test then stops: the agent skips what it cannot decode and keeps routing on its last table.
 */
@Timeout(180)
class KafkaOutageIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void undecodableRecordIsSkippedAndRoutingGoesOnWithKafkaDown() throws Exception {
    String registryUrl = SharedInfrastructure.schemaRegistry();
    Vertx vertx = Vertx.vertx();
    HttpServer backend =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.response()
                        .end(
                            req.getHeader("sidetrack-intercept-id") == null
                                ? "app"
                                : "router:" + req.getHeader("sidetrack-intercept-id")))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    String target = "127.0.0.1:" + backend.actualPort();
    EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
    EdgeAgent agent = null;
    try {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        TopicSetup.ensure(admin, Topics.DEFAULT, 4, 1);
      }
      int partition = WorkloadPartitioning.partitionOf("cart", 4);
      var entries =
          AvroSerde.forValues(
              new HttpSchemaRegistryClient(SchemaRegistryConfig.of(registryUrl)), RouteEntry.class);
      try (var producer =
          new KafkaProducer<>(
              Map.<String, Object>of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
              new StringSerializer(),
              new ByteArraySerializer())) {
        producer
            .send(
                new ProducerRecord<>(
                    Topics.ROUTES,
                    partition,
                    "cart/i-1",
                    entries.serialize(Topics.ROUTES, entry("i-1", "alice", target))))
            .get();
        agent =
            EdgeAgent.start(
                EdgeAgentConfig.of(
                        "cart",
                        "127.0.0.1",
                        0,
                        "127.0.0.1",
                        backend.actualPort(),
                        kafka.bootstrapServers(),
                        SchemaRegistryConfig.of(registryUrl))
                    .withTrustedRouters(TestRouterKeys.TRUSTED));
        EdgeAgent started = agent;
        await().atMost(Duration.ofSeconds(30)).until(() -> started.routes().current().size() == 1);

        producer
            .send(new ProducerRecord<>(Topics.ROUTES, partition, "cart/i-2", new byte[] {9, 9, 9}))
            .get();
        producer
            .send(
                new ProducerRecord<>(
                    Topics.ROUTES,
                    partition,
                    "cart/i-3",
                    entries.serialize(Topics.ROUTES, entry("i-3", "bob", target))))
            .get();
        await().atMost(Duration.ofSeconds(30)).until(() -> started.routes().current().size() == 2);
      }
      assertThat(agent.routes().current().route("i-2")).isEmpty();
      assertThat(metrics(agent)).contains("sidetrack_agent_route_undecodable_total 1.0");
      assertThat(get(agent, "alice")).isEqualTo("router:i-1");

      kafka.close();
      kafka = null;
      EdgeAgent running = agent;
      await().atMost(Duration.ofSeconds(60)).until(() -> health(running).contains("DEGRADED"));
      assertThat(get(agent, "alice")).isEqualTo("router:i-1");
      assertThat(get(agent, "bob")).isEqualTo("router:i-3");
      assertThat(get(agent, "nobody")).isEqualTo("app");
    } finally {
      if (agent != null) {
        agent.close();
      }
      if (kafka != null) {
        kafka.close();
      }
      vertx.close();
    }
  }

  private static RouteEntry entry(String id, String owner, String target) {
    return AvroMapping.toRouteEntry(
        TestRouterKeys.SIGNER.sign(
            new Intercept(
                id,
                "cart",
                owner,
                MatchRules.header("x-sidetrack-id", owner),
                target,
                Instant.now(),
                Instant.now().plusSeconds(60),
                FailureMode.FAIL_OPEN,
                Map.of())));
  }

  private static String get(EdgeAgent agent, String value) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/"))
                .header("x-sidetrack-id", value)
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static String health(EdgeAgent agent) throws Exception {
    return admin(agent, "/health");
  }

  private static String metrics(EdgeAgent agent) throws Exception {
    return admin(agent, "/metrics");
  }

  private static String admin(EdgeAgent agent, String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.adminPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
