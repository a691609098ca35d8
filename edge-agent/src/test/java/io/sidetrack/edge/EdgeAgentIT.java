package io.sidetrack.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.Topics;
import io.sidetrack.embedded.Ports;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.AgentHeartbeat;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.registry.HttpSchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import io.sidetrack.stream.RegistryStreamApp;
import io.sidetrack.stream.RegistryStreamConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The edge agent on the real broker and registry, with registry-stream deciding registrations, a
 * real app and a real router stand-in (HTTP servers on port 0).
 */
@Timeout(240)
class EdgeAgentIT {
  static final String WORKLOAD = "shop";
  static final Set<String> TUNNELS = Set.of("i-alice");
  static final String PREFIX = "e" + UUID.randomUUID().toString().substring(0, 8) + ".";
  static final Topics.Names TOPICS = Topics.DEFAULT.withPrefix(PREFIX);

  /** HTTP/1.1: these requests take the fast front's Netty path. */
  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /**
   * The JDK's default client asks for an h2c upgrade: the front hands such connections to the full
   * Vert.x proxy behind it.
   */
  static final HttpClient UPGRADING = HttpClient.newHttpClient();

  static String bootstrap;
  static String registryUrl;
  static SchemaRegistryClient registry;
  static Vertx vertx;
  static HttpServer app;
  static HttpServer router;
  static RegistryStreamApp stream;
  static EdgeAgent agent;
  static KafkaProducer<String, byte[]> producer;

  @BeforeAll
  static void start() throws Exception {
    bootstrap = SharedInfrastructure.kafka();
    registryUrl = SharedInfrastructure.schemaRegistry();
    registry = new HttpSchemaRegistryClient(SchemaRegistryConfig.of(registryUrl));
    vertx = Vertx.vertx();
    app =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body ->
                                req.response()
                                    .putHeader(
                                        "x-seen-forwarded",
                                        String.valueOf(req.getHeader("forwarded")))
                                    .putHeader(
                                        "x-seen-secret", String.valueOf(req.getHeader("x-secret")))
                                    .putHeader(
                                        "x-seen-intercept",
                                        String.valueOf(req.getHeader("sidetrack-intercept-id")))
                                    .putHeader(
                                        "x-seen-baggage",
                                        String.valueOf(req.headers().getAll("baggage")))
                                    .end("app:" + req.path() + ":" + body.length())))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    router =
        vertx
            .createHttpServer(new HttpServerOptions().setHandle100ContinueAutomatically(false))
            .requestHandler(
                req -> {
                  String id = req.getHeader("sidetrack-intercept-id");
                  if (!TUNNELS.contains(id)) {
                    req.response()
                        .setStatusCode(503)
                        .putHeader("sidetrack-no-tunnel", "no tunnel for " + id)
                        .end("no tunnel");
                    return;
                  }
                  if ("100-continue".equals(req.getHeader("expect"))) {
                    req.response().writeContinue();
                  }
                  req.body()
                      .onSuccess(
                          body ->
                              req.response()
                                  .end(
                                      "router:"
                                          + id
                                          + ":"
                                          + req.getHeader("sidetrack-workload")
                                          + ":"
                                          + body.length()));
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get();

    stream =
        RegistryStreamApp.start(
            RegistryStreamConfig.builder(bootstrap, SchemaRegistryConfig.of(registryUrl))
                .applicationId("edge-it-" + UUID.randomUUID())
                .topicPrefix(PREFIX)
                .stateDir(Files.createTempDirectory("edge-it"))
                .listen("127.0.0.1", 0)
                .partitions(3)
                .replicationFactor(1)
                .trustedRouters(TestRouterKeys.TRUSTED)
                .build());
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> stream.streams().state() == KafkaStreams.State.RUNNING);
    agent =
        EdgeAgent.start(
            EdgeAgentConfig.of(
                    WORKLOAD,
                    "127.0.0.1",
                    0,
                    "127.0.0.1",
                    app.actualPort(),
                    bootstrap,
                    SchemaRegistryConfig.of(registryUrl))
                .withTopicPrefix(PREFIX)
                .withTrustedRouters(TestRouterKeys.TRUSTED));
    await().atMost(Duration.ofSeconds(60)).until(() -> agent.routes().caughtUp());
    producer =
        new KafkaProducer<>(
            Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  @AfterAll
  static void stop() {
    if (agent != null) {
      agent.close();
    }
    if (stream != null) {
      stream.close();
    }
    if (producer != null) {
      producer.close();
    }
    vertx.close();
  }

  static void register(String id, String value, String target, FailureMode mode) throws Exception {
    Instant now = Instant.now();
    Intercept i =
        new Intercept(
            id,
            WORKLOAD,
            "dev-" + id,
            MatchRules.header("x-sidetrack-id", value),
            target,
            now,
            now.plusSeconds(600),
            mode,
            Map.of());
    var serde = AvroSerde.forValues(registry, InterceptRegistration.class);
    producer
        .send(
            new ProducerRecord<>(
                TOPICS.intercepts(),
                id,
                serde.serialize(
                    TOPICS.intercepts(),
                    AvroMapping.toRegistration(TestRouterKeys.SIGNER.sign(i)))))
        .get();
  }

  static void awaitRoute(String id, boolean present) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> agent.routes().current().route(id).isPresent() == present);
  }

  static HttpResponse<String> get(String value) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/orders/1"));
    if (value != null) {
      b.header("x-sidetrack-id", value);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String value, int size) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/orders"))
            .header("x-sidetrack-id", value)
            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[size]))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The forged registration of issue #12 (unsigned, straight to Kafka, target an arbitrary port)
   * and a forged route entry written past registry-stream: neither reaches the listener on that
   * port; the request with the victim's header reaches the app; registry-stream says why.
   */
  @Test
  void forgedRegistrationAndForgedRouteReachNobody() throws Exception {
    java.util.concurrent.atomic.AtomicInteger connections =
        new java.util.concurrent.atomic.AtomicInteger();
    var forgedTarget =
        vertx
            .createNetServer()
            .connectHandler(
                sock -> {
                  connections.incrementAndGet();
                  sock.close();
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    String target = "127.0.0.1:" + forgedTarget.actualPort();
    Instant now = Instant.now();
    Intercept forged =
        new Intercept(
            "x",
            WORKLOAD,
            "mallory",
            MatchRules.header("x-sidetrack-id", "victim"),
            target,
            now,
            now.plusSeconds(600),
            FailureMode.FAIL_OPEN,
            Map.of());
    var registrations = AvroSerde.forValues(registry, InterceptRegistration.class);
    producer
        .send(
            new ProducerRecord<>(
                TOPICS.intercepts(),
                "x",
                registrations.serialize(TOPICS.intercepts(), AvroMapping.toRegistration(forged))))
        .get();
    var entries = AvroSerde.forValues(registry, io.sidetrack.schemas.avro.RouteEntry.class);
    producer
        .send(
            new ProducerRecord<>(
                TOPICS.routes(),
                io.sidetrack.core.WorkloadPartitioning.partitionOf(WORKLOAD, 3),
                WORKLOAD + "/y",
                entries.serialize(
                    TOPICS.routes(),
                    AvroMapping.toRouteEntry(
                        forged.withSignature(
                            new io.sidetrack.core.trust.RouteSigner(
                                    io.sidetrack.core.trust.Keys.generate())
                                .sign(io.sidetrack.core.trust.RouteStatement.of(forged)))))))
        .get();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(stream.url() + "/intercepts/x")).build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body()
                    .contains("not signed by a trusted router: no signature"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                HTTP.send(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + agent.adminPort() + "/metrics"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body()
                    .contains("sidetrack_agent_routes_refused_total{reason=\"unknown_key\"} 1.0"));
    assertThat(agent.routes().current().route("x")).isEmpty();
    assertThat(agent.routes().current().route("y")).isEmpty();
    assertThat(get("victim").body()).isEqualTo("app:/orders/1:0");
    assertThat(connections.get()).isZero();

    // A new agent reads the forged entry in its first read, where routes are applied unchecked
    // (so that it is ready sooner) and checked before use: it still reaches nobody.
    EdgeAgent second =
        EdgeAgent.start(
            EdgeAgentConfig.of(
                    WORKLOAD,
                    "127.0.0.1",
                    0,
                    "127.0.0.1",
                    app.actualPort(),
                    bootstrap,
                    SchemaRegistryConfig.of(registryUrl))
                .withTopicPrefix(PREFIX)
                .withTrustedRouters(TestRouterKeys.TRUSTED));
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> second.routes().caughtUp());
      // keyed y, the entry names intercept x: applied unchecked, passed over by requests, and
      // taken out of the table once the background check refused it
      assertThat(
              HTTP.send(
                      HttpRequest.newBuilder(
                              URI.create("http://127.0.0.1:" + second.port() + "/orders/1"))
                          .header("x-sidetrack-id", "victim")
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body())
          .isEqualTo("app:/orders/1:0");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  HTTP.send(
                          HttpRequest.newBuilder(
                                  URI.create("http://127.0.0.1:" + second.adminPort() + "/metrics"))
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body()
                      .contains(
                          "sidetrack_agent_routes_refused_total{reason=\"unknown_key\"} 1.0"));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> second.routes().current().route("x").isEmpty());
      assertThat(connections.get()).isZero();
    } finally {
      second.close();
    }
    forgedTarget.close();
  }

  @Test
  void routesMatchedHeaderToTheRouterAndTheRestToTheApp() throws Exception {
    register("i-alice", "alice", "127.0.0.1:" + router.actualPort(), FailureMode.FAIL_OPEN);
    awaitRoute("i-alice", true);

    assertThat(get("alice").body()).isEqualTo("router:i-alice:shop:0");
    assertThat(post("alice", 70_000).body()).isEqualTo("router:i-alice:shop:70000");
    HttpResponse<String> plain = get(null);
    assertThat(plain.body()).isEqualTo("app:/orders/1:0");
    assertThat(plain.headers().firstValue("x-seen-forwarded").orElseThrow())
        .startsWith("for=127.0.0.1");
    assertThat(get("someone-else").body()).isEqualTo("app:/orders/1:0");

    // the same through the full proxy, which still sees who asked
    HttpRequest upgrading =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/orders/9"))
            .header("x-sidetrack-id", "alice")
            .build();
    assertThat(UPGRADING.send(upgrading, HttpResponse.BodyHandlers.ofString()).body())
        .isEqualTo("router:i-alice:shop:0");
    HttpResponse<String> plainUpgrading =
        UPGRADING.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/o")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(plainUpgrading.body()).isEqualTo("app:/o:0");
    assertThat(plainUpgrading.headers().firstValue("x-seen-forwarded").orElseThrow())
        .startsWith("for=127.0.0.1");
  }

  /** The running agent bridges by default: the id header reaches the app as baggage too. */
  @Test
  void anUnmatchedIdHeaderReachesTheAppAsBaggageOnBothPaths() throws Exception {
    assertThat(get("someone-else").headers().firstValue("x-seen-baggage"))
        .hasValue("[sidetrack-id=someone-else]");
    assertThat(get(null).headers().firstValue("x-seen-baggage")).hasValue("[]");
    HttpResponse<String> upgrading =
        UPGRADING.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/b"))
                .header("x-sidetrack-id", "h2c-caller")
                .header("baggage", "a=1")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(upgrading.headers().firstValue("x-seen-baggage"))
        .hasValue("[a=1,sidetrack-id=h2c-caller]");
  }

  /** Raw HTTP/1.1 on one socket: what the fast front must get right byte by byte. */
  @Test
  void theFastFrontKeepsHttp11Semantics() throws Exception {
    try (java.net.Socket s = rawClient()) {
      var out = s.getOutputStream();
      var in = reader(s);
      // two pipelined requests, the first with a chunked body, then a HEAD
      out.write(
          ("POST /p1 HTTP/1.1\r\nHost: shop\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
                  + "GET /p2 HTTP/1.1\r\nHost: shop\r\n\r\n")
              .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      out.flush();
      assertThat(readResponse(in)).contains("200").endsWith("app:/p1:11");
      assertThat(readResponse(in)).contains("200").endsWith("app:/p2:0");
      out.write(
          "HEAD /h HTTP/1.1\r\nHost: shop\r\n\r\n"
              .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      out.flush();
      String head = readHeadOnly(in);
      // no body follows a HEAD answer: the next response on this connection must parse
      assertThat(head).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("transfer-encoding");
      // Connection: close is honoured after the answer
      out.write(
          "GET /last HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n"
              .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      out.flush();
      assertThat(readResponse(in))
          .containsIgnoringCase("connection: close")
          .endsWith("app:/last:0");
      assertThat(in.read()).isEqualTo(-1);
    }
    try (java.net.Socket s = rawClient()) {
      var out = s.getOutputStream();
      var in = reader(s);
      // a head in three writes; a forged intercept id and a field Connection names are dropped
      String request =
          "GET /split HTTP/1.1\r\nHost: shop\r\nConnection: X-Secret\r\nX-Secret: s\r\n"
              + "sidetrack-intercept-id: forged\r\n\r\n";
      for (String part :
          List.of(request.substring(0, 7), request.substring(7, 40), request.substring(40))) {
        out.write(part.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        out.flush();
        Thread.sleep(50);
      }
      assertThat(readResponse(in))
          .containsIgnoringCase("x-seen-secret: null")
          .containsIgnoringCase("x-seen-intercept: null")
          .endsWith("app:/split:0");
    }
    for (String unframable :
        List.of(
            "POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
            "POST /x HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
            "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")) {
      try (java.net.Socket s = rawClient()) {
        s.getOutputStream()
            .write(unframable.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        var in = reader(s);
        assertThat(in.readLine()).as(unframable).startsWith("HTTP/1.1 400");
      }
    }
    try (java.net.Socket s = rawClient()) {
      s.getOutputStream()
          .write(
              "GET /x HTTP/1.1\r\nHo st: bad\r\n\r\n"
                  .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      var in = reader(s);
      assertThat(in.readLine()).startsWith("HTTP/1.1 400");
    }
  }

  /**
   * A router that answers like an old server: an interim 103, then an HTTP/1.0 answer whose body
   * ends when it closes. The client gets the final answer whole, told the connection closes.
   */
  @Test
  void interimAndCloseDelimitedAnswersPassWhole() throws Exception {
    try (java.net.ServerSocket raw =
        new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      var seen = new java.util.concurrent.CompletableFuture<String>();
      Thread server =
          new Thread(
              () -> {
                try (java.net.Socket c = raw.accept()) {
                  var in = reader(c);
                  seen.complete(readHeadOnly(in));
                  c.getOutputStream()
                      .write(
                          ("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                                  + "HTTP/1.0 200 OK\r\nX-Raw: 1\r\n\r\nraw body, then close")
                              .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                } catch (Exception e) {
                  seen.completeExceptionally(e);
                }
              });
      server.start();
      register("i-raw", "raw", "127.0.0.1:" + raw.getLocalPort(), FailureMode.FAIL_OPEN);
      awaitRoute("i-raw", true);
      try (java.net.Socket s = rawClient()) {
        s.getOutputStream()
            .write(
                "GET /r HTTP/1.1\r\nHost: shop\r\nx-sidetrack-id: raw\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        String answer =
            new String(
                s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(answer)
            .startsWith("HTTP/1.1 200 OK\r\n")
            .doesNotContain("103")
            .containsIgnoringCase("x-raw: 1")
            .containsIgnoringCase("connection: close")
            .endsWith("\r\n\r\nraw body, then close");
      }
      assertThat(seen.get(10, java.util.concurrent.TimeUnit.SECONDS))
          .contains("sidetrack-intercept-id: i-raw")
          .contains("sidetrack-workload: " + WORKLOAD)
          .contains("x-forwarded-for: 127.0.0.1")
          .contains("forwarded: for=127.0.0.1;host=shop;proto=http");
      server.join(10_000);
    }
  }

  /** A plain socket to the agent, for what an HTTP client library would not send. */
  private static java.net.Socket rawClient() throws java.io.IOException {
    java.net.Socket s = new java.net.Socket("127.0.0.1", agent.port());
    s.setSoTimeout(10_000);
    return s;
  }

  private static java.io.BufferedReader reader(java.net.Socket s) throws java.io.IOException {
    return new java.io.BufferedReader(
        new java.io.InputStreamReader(
            s.getInputStream(), java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  private static String readHeadOnly(java.io.BufferedReader in) throws java.io.IOException {
    StringBuilder b = new StringBuilder();
    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
      b.append(line).append('\n');
    }
    return b.toString();
  }

  /** Reads one response with a Content-Length or a chunked body: its head, a blank, its body. */
  private static String readResponse(java.io.BufferedReader in) throws java.io.IOException {
    String head = readHeadOnly(in);
    StringBuilder body = new StringBuilder();
    java.util.regex.Matcher length =
        java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
    if (length.find()) {
      char[] buf = new char[Integer.parseInt(length.group(1))];
      int read = 0;
      while (read < buf.length) {
        read += in.read(buf, read, buf.length - read);
      }
      body.append(buf);
    } else {
      for (int size = Integer.parseInt(in.readLine().trim(), 16);
          size > 0;
          size = Integer.parseInt(in.readLine().trim(), 16)) {
        char[] buf = new char[size];
        int read = 0;
        while (read < size) {
          read += in.read(buf, read, size - read);
        }
        body.append(buf);
        in.readLine();
      }
      in.readLine();
    }
    return head + "\n" + body;
  }

  @Test
  void unreachableRouterFallsBackToTheAppAndFailClosedAnswers503() throws Exception {
    int closedPort = Ports.free();
    register("i-bob", "bob", "127.0.0.1:" + closedPort, FailureMode.FAIL_OPEN);
    register("i-carol", "carol", "127.0.0.1:" + closedPort, FailureMode.FAIL_CLOSED);
    awaitRoute("i-bob", true);
    awaitRoute("i-carol", true);

    HttpResponse<String> bob = post("bob", 1234);
    assertThat(bob.statusCode()).isEqualTo(200);
    assertThat(bob.body()).isEqualTo("app:/orders:1234");
    assertThat(bob.headers().firstValue("sidetrack-fallback"))
        .hasValueSatisfying(v -> assertThat(v).isIn("router-unreachable", "router-circuit-open"));

    HttpResponse<String> carol = get("carol");
    assertThat(carol.statusCode()).isEqualTo(503);
    assertThat(carol.headers().firstValue("retry-after")).hasValue("5");
    assertThat(carol.body()).contains("i-carol").contains("fail-closed");

    // after a few failures the circuit opens: no connect attempt, same fallback
    for (int i = 0; i < 6; i++) {
      assertThat(get("bob").body()).isEqualTo("app:/orders/1:0");
    }
    assertThat(get("bob").headers().firstValue("sidetrack-fallback"))
        .hasValue("router-circuit-open");
  }

  @Test
  void routerWithoutTheTunnelSendsTheUntouchedRequestToTheApp() throws Exception {
    register("i-dave", "dave", "127.0.0.1:" + router.actualPort(), FailureMode.FAIL_OPEN);
    awaitRoute("i-dave", true);

    HttpResponse<String> withBody = post("dave", 50_000);
    assertThat(withBody.body()).isEqualTo("app:/orders:50000");
    assertThat(withBody.headers().firstValue("sidetrack-fallback")).hasValue("no-tunnel");
    assertThat(get("dave").headers().firstValue("sidetrack-fallback")).hasValue("no-tunnel");
  }

  @Test
  void removedRouteReturnsTrafficToTheAppOnAnOpenConnection() throws Exception {
    register("i-erin", "erin", "127.0.0.1:" + router.actualPort(), FailureMode.FAIL_OPEN);
    awaitRoute("i-erin", true);
    // i-erin has no tunnel at the stand-in router, so matched requests say no-tunnel
    HttpClient keepAlive = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/x"))
            .header("x-sidetrack-id", "erin")
            .build();
    assertThat(
            keepAlive
                .send(request, HttpResponse.BodyHandlers.ofString())
                .headers()
                .firstValue("sidetrack-fallback"))
        .hasValue("no-tunnel");

    producer.send(new ProducerRecord<>(TOPICS.intercepts(), "i-erin", null)).get();
    awaitRoute("i-erin", false);

    HttpResponse<String> after = keepAlive.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(after.body()).isEqualTo("app:/x:0");
    assertThat(after.headers().firstValue("sidetrack-fallback")).isEmpty();
  }

  @Test
  void routeChangeAppliesOnAnHttp2ConnectionOpenedBeforeIt() throws Exception {
    var client =
        vertx.createHttpClient(
            new io.vertx.core.http.HttpClientOptions()
                .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
    java.util.function.Supplier<io.vertx.core.http.HttpClientResponse> send =
        () ->
            client
                .request(
                    new io.vertx.core.http.RequestOptions()
                        .setHost("127.0.0.1")
                        .setPort(agent.port())
                        .setURI("/h2")
                        .putHeader("x-sidetrack-id", "frank"))
                .compose(r -> r.send())
                .compose(r -> r.body().map(b -> r))
                .toCompletionStage()
                .toCompletableFuture()
                .join();
    var before = send.get();
    assertThat(before.version()).isEqualTo(io.vertx.core.http.HttpVersion.HTTP_2);
    assertThat(before.getHeader("sidetrack-fallback")).isNull();
    var connection = before.request().connection();

    // i-frank has no tunnel at the stand-in router: once routed there, it falls back
    register("i-frank", "frank", "127.0.0.1:" + router.actualPort(), FailureMode.FAIL_OPEN);
    awaitRoute("i-frank", true);

    var after = send.get();
    assertThat(after.request().connection()).isSameAs(connection);
    assertThat(after.getHeader("sidetrack-fallback")).isEqualTo("no-tunnel");
  }

  @Test
  void reportsReadinessMetricsAndTheOffsetItApplied() throws Exception {
    String admin = "http://127.0.0.1:" + agent.adminPort();
    HttpResponse<String> ready =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(admin + "/ready")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).isEqualTo(200);
    HttpResponse<String> health =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(admin + "/health")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.body()).contains("\"status\":\"UP\"");
    get(null);
    String metrics =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(admin + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics).contains("sidetrack_agent_requests_total{destination=\"app\"}");

    Map<String, AgentHeartbeat> beats = new HashMap<>();
    var serde = AvroSerde.forValues(registry, AgentHeartbeat.class);
    try (var consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                "beats-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(TOPICS.agents()));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                consumer
                    .poll(Duration.ofMillis(200))
                    .forEach(
                        r ->
                            beats.put(
                                r.key(),
                                r.value() == null
                                    ? null
                                    : serde.deserialize(r.topic(), r.value())));
                AgentHeartbeat beat = beats.get(agent.config().agentId());
                return beat != null
                    && beat.getReady()
                    && beat.getAppliedOffset() == agent.routes().appliedOffset();
              });
    }
    AgentHeartbeat beat = beats.get(agent.config().agentId());
    assertThat(beat.getWorkload()).isEqualTo(WORKLOAD);
    assertThat(beat.getPartition()).isEqualTo(agent.routes().partition());
  }
}
