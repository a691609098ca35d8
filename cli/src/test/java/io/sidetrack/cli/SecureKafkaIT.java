package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sidetrack.cli.admin.acl.Component;
import io.sidetrack.cli.tunnel.AppProtocol;
import io.sidetrack.cli.tunnel.TunnelClient;
import io.sidetrack.cli.tunnel.TunnelEvents;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.Topics;
import io.sidetrack.edge.EdgeAgent;
import io.sidetrack.edge.EdgeAgentConfig;
import io.sidetrack.embedded.EmbeddedKafka;
import io.sidetrack.embedded.ScramCredentials;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.router.Router;
import io.sidetrack.router.RouterConfig;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.stream.RegistryStreamApp;
import io.sidetrack.stream.RegistryStreamConfig;
import io.sidetrack.tunnel.InterceptSpec;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * The real components on the embedded broker secured with SASL/SCRAM-SHA-512 and the
 * StandardAuthorizer, each under its own SCRAM user with only the ACLs {@code sidetrack acl apply}
 * gave it: registry-stream (which also creates the topics), a router, an edge agent, and {@code
 * sidetrack audit} as the audit reader.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecureKafkaIT {
  static final String WORKLOAD = "shop";
  static final String TOKEN = "alice-token-0123456789";
  static final ScramCredentials ADMIN = ScramCredentials.random(Component.ADMIN.defaultUser());
  static final Map<Component, ScramCredentials> USERS = new EnumMap<>(Component.class);
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static EmbeddedKafka kafka;
  static String registryUrl;
  static Path dir;
  static Vertx vertx;
  static HttpServer cluster;
  static HttpServer laptop;
  static RegistryStreamApp stream;
  static EdgeAgent agent;
  static Router router;
  static String firstApply;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.startTemporarySecure(ADMIN);
    registryUrl = SharedInfrastructure.schemaRegistry();
    dir = Files.createTempDirectory("secure-kafka-it");
    for (Component c :
        List.of(
            Component.ROUTER,
            Component.REGISTRY_STREAM,
            Component.EDGE_AGENT,
            Component.AUDIT_READER)) {
      USERS.put(c, ScramCredentials.random(c.defaultUser()));
    }
    Files.writeString(
        dir.resolve("users.properties"),
        USERS.values().stream()
            .map(u -> u.user() + "=" + u.password())
            .collect(Collectors.joining("\n")));
    writeProperties(dir.resolve("admin.properties"), ADMIN.clientProperties());
    writeProperties(
        dir.resolve("audit.properties"), USERS.get(Component.AUDIT_READER).clientProperties());
    writeProperties(
        dir.resolve("agent.properties"), USERS.get(Component.EDGE_AGENT).clientProperties());

    String[] applied = aclApply();
    assertThat(applied[0]).as(applied[2]).isEqualTo("0");
    firstApply = applied[1];

    vertx = Vertx.vertx();
    cluster = app("cluster");
    laptop = app("laptop");
    stream =
        RegistryStreamApp.start(
            RegistryStreamConfig.builder(
                    kafka.bootstrapServers(), SchemaRegistryConfig.of(registryUrl))
                .stateDir(dir.resolve("streams"))
                .listen("127.0.0.1", 0)
                .partitions(3)
                .replicationFactor(1)
                .kafkaProperties(props(Component.REGISTRY_STREAM))
                .build());
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> stream.streams().state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING);
    agent =
        EdgeAgent.start(
            EdgeAgentConfig.of(
                    WORKLOAD,
                    "127.0.0.1",
                    0,
                    "127.0.0.1",
                    cluster.actualPort(),
                    kafka.bootstrapServers(),
                    SchemaRegistryConfig.of(registryUrl))
                .withKafkaProperties(props(Component.EDGE_AGENT))
                .withTrustedRouters(TestRouterKeys.TRUSTED));
    await().atMost(Duration.ofSeconds(60)).until(() -> agent.routes().caughtUp());
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, TOKEN + " alice *\n");
    router =
        Router.start(
            RouterConfig.of(kafka.bootstrapServers(), SchemaRegistryConfig.of(registryUrl), tokens)
                .withKafkaProperties(props(Component.ROUTER))
                .withSigning(TestRouterKeys.SIGNING));
    await().atMost(Duration.ofSeconds(60)).until(() -> router.view().ready());
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {router, agent, stream}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // keep closing
      }
    }
    if (vertx != null) {
      vertx.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  static Map<String, String> props(Component c) {
    return USERS.get(c).clientProperties();
  }

  static void writeProperties(Path file, Map<String, String> props) throws Exception {
    java.util.Properties p = new java.util.Properties();
    p.putAll(props);
    try (var out = Files.newBufferedWriter(file)) {
      p.store(out, null);
    }
  }

  static HttpServer app(String name) throws Exception {
    return vertx
        .createHttpServer()
        .requestHandler(req -> req.response().end(name + ":" + req.path()))
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get();
  }

  static String[] run(String... args) {
    CommandLine cli = Sidetrack.commandLine(name -> null);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new String[] {String.valueOf(exit), out.toString(), err.toString()};
  }

  static String[] aclApply() {
    return run(
        "acl",
        "apply",
        "--bootstrap-servers",
        kafka.bootstrapServers(),
        "--kafka-config",
        dir.resolve("admin.properties").toString(),
        "--create-users",
        dir.resolve("users.properties").toString());
  }

  static KafkaProducer<String, byte[]> producer(Map<String, String> settings) {
    Map<String, Object> props = new HashMap<>(settings);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  static Admin admin(Map<String, String> settings) {
    Map<String, Object> props = new HashMap<>(settings);
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("default.api.timeout.ms", 8_000);
    props.put("request.timeout.ms", 4_000);
    return Admin.create(props);
  }

  @Test
  @Order(1)
  void eachComponentWorksWithItsOwnCredentials() throws Exception {
    assertThat(firstApply).contains("Created 4 SCRAM users; 0 existed already.");
    // the agent's heartbeats land and the router reads them
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !router.view().liveAgents(WORKLOAD).isEmpty());

    Vertx own = Vertx.vertx();
    List<String> relayed = new ArrayList<>();
    TunnelClient client =
        new TunnelClient(
            own,
            List.of(router.url()),
            TOKEN,
            owner ->
                new InterceptSpec(
                    "i-secure-1",
                    WORKLOAD,
                    MatchRules.header("x-sidetrack-id", "alice"),
                    Duration.ofSeconds(30),
                    false),
            "127.0.0.1",
            laptop.actualPort(),
            AppProtocol.AUTO,
            new TunnelEvents() {
              @Override
              public void relayed(String method, String uri, int status, double millis) {
                relayed.add(method + " " + uri + " " + status);
              }
            });
    try {
      // the router wrote the registration, registry-stream decided it and published the route,
      // the agent applied it and reported so: "active"
      assertThat(client.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS))
          .isEqualTo("i-secure-1");
      assertThat(get("alice", "/orders/1")).isEqualTo("laptop:/orders/1");
      assertThat(get(null, "/orders/2")).isEqualTo("cluster:/orders/2");
      assertThat(relayed).contains("GET /orders/1 200");

      // the audit reader reads the decision registry-stream wrote
      String[] audit =
          run(
              "audit",
              "--workload",
              WORKLOAD,
              "--bootstrap-servers",
              kafka.bootstrapServers(),
              "--schema-registry-url",
              registryUrl,
              "--kafka-config",
              dir.resolve("audit.properties").toString());
      assertThat(audit[0]).as(audit[2]).isEqualTo("0");
      assertThat(audit[1]).contains("i-secure-1").contains("CREATED");
    } finally {
      client.leave().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      own.close();
    }
  }

  static String get(String header, String path) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path));
    if (header != null) {
      b.header("x-sidetrack-id", header);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  @Order(2)
  void anAgentsCredentialsCannotWriteRegistrationsOrRoutes() {
    try (var producer = producer(props(Component.EDGE_AGENT))) {
      for (String topic : List.of(Topics.INTERCEPTS, Topics.ROUTES)) {
        assertThatThrownBy(
                () ->
                    producer
                        .send(new ProducerRecord<>(topic, "forged", new byte[] {0}))
                        .get(30, TimeUnit.SECONDS))
            .as(topic)
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(TopicAuthorizationException.class);
      }
    }
    // nor through the CLI's own writer
    String[] register =
        run(
            "register",
            WORKLOAD,
            "--id",
            "x",
            "--owner",
            "mallory",
            "--header",
            "x-sidetrack-id=victim",
            "--target",
            "127.0.0.1:19999",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--schema-registry-url",
            registryUrl,
            "--kafka-config",
            dir.resolve("agent.properties").toString());
    assertThat(register[0]).isEqualTo("1");
    assertThat(register[2]).contains("Not authorized to access topics: [sidetrack.intercepts]");
  }

  @Test
  @Order(3)
  void clientsWithoutValidCredentialsCannotConnect() {
    var wrongPassword = new ScramCredentials(Component.ROUTER.defaultUser(), "not-its-password");
    var unknown = ScramCredentials.random("mallory");
    for (ScramCredentials c : List.of(wrongPassword, unknown)) {
      try (Admin admin = admin(c.clientProperties())) {
        assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
            .as(c.user())
            .cause()
            .isInstanceOf(SaslAuthenticationException.class);
      }
    }
    // a client that does not speak SASL at all never gets an answer to a request
    try (Admin admin = admin(Map.of())) {
      assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
    }
  }

  @Test
  @Order(4)
  void applyingTheAclsAgainChangesNothing() throws Exception {
    int before;
    try (Admin admin = admin(ADMIN.clientProperties())) {
      before = admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS).size();
    }
    String[] again = aclApply();
    assertThat(again[0]).as(again[2]).isEqualTo("0");
    assertThat(again[1])
        .contains("Created 0 SCRAM users; 4 existed already.")
        .containsPattern("Created 0 ACLs; \\d+ existed already.")
        .doesNotContain("+ ");
    assertThat(firstApply).containsPattern("Created [1-9]\\d* ACLs; 0 existed already.");
    try (Admin admin = admin(ADMIN.clientProperties())) {
      assertThat(admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS))
          .hasSize(before);
    }
  }
}
