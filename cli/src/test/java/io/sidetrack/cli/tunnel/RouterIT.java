package io.sidetrack.cli.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sidetrack.cli.TestRegistryStream;
import io.sidetrack.cli.TestRouterKeys;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.RelayHeaders;
import io.sidetrack.edge.EdgeAgent;
import io.sidetrack.edge.EdgeAgentConfig;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.router.Router;
import io.sidetrack.router.RouterConfig;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.stream.RegistryStreamApp;
import io.sidetrack.tunnel.InterceptSpec;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The router on the real broker and registry, with registry-stream deciding, two edge agents of one
 * workload (two replicas), real apps on port 0 for "the cluster" and for each developer's laptop,
 * and real tunnels.
 */
@Timeout(300)
class RouterIT {
  static final String WORKLOAD = "shop";
  static final String PREFIX = "r" + UUID.randomUUID().toString().substring(0, 8) + ".";
  static final String ALICE = "alice-token-0123456789";
  static final String BOB = "bob-token-0123456789ab";
  static final String CAROL = "carol-token-0123456789";
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static String bootstrap;
  static String registryUrl;
  static Vertx vertx;
  static HttpServer cluster;
  static HttpServer aliceApp;
  static HttpServer bobApp;
  static RegistryStreamApp stream;
  static EdgeAgent agent1;
  static EdgeAgent agent2;
  static Router router;
  static RouterConfig routerConfig;
  static final List<String> aliceSaw = new CopyOnWriteArrayList<>();
  // 64 MiB: Netty's PARANOID leak detection (on in these tests) slows bulk data a lot
  static final long DOWNLOAD = 64L << 20;
  static final java.util.concurrent.atomic.AtomicLong downloadWritten =
      new java.util.concurrent.atomic.AtomicLong();

  @BeforeAll
  static void start() throws Exception {
    bootstrap = SharedInfrastructure.kafka();
    registryUrl = SharedInfrastructure.schemaRegistry();
    vertx = Vertx.vertx();
    cluster = app("cluster");
    aliceApp =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  aliceSaw.add(req.method() + " " + req.uri());
                  if (req.path().equals("/download")) {
                    // DOWNLOAD bytes, written only as fast as the reader takes it
                    var res = req.response().putHeader("content-length", String.valueOf(DOWNLOAD));
                    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
                    Runnable[] pump = new Runnable[1];
                    pump[0] =
                        () -> {
                          while (downloadWritten.get() < (DOWNLOAD) && !res.writeQueueFull()) {
                            res.write(chunk);
                            downloadWritten.addAndGet(chunk.length());
                          }
                          if (downloadWritten.get() >= (DOWNLOAD)) {
                            res.end();
                          } else {
                            res.drainHandler(v -> pump[0].run());
                          }
                        };
                    pump[0].run();
                    return;
                  }
                  if (req.path().equals("/events")) {
                    req.response().setChunked(true).putHeader("content-type", "text/event-stream");
                    long timer = vertx.setPeriodic(20, t -> req.response().write("data: tick\n\n"));
                    req.response()
                        .closeHandler(
                            v -> {
                              vertx.cancelTimer(timer);
                              aliceSaw.add("closed /events");
                            });
                    return;
                  }
                  req.body()
                      .onSuccess(
                          body ->
                              req.response()
                                  .putHeader("x-app", "alice")
                                  .end(
                                      "alice:"
                                          + req.path()
                                          + ":"
                                          + body.length()
                                          + ":"
                                          + req.getHeader("x-sidetrack-id")
                                          + ":"
                                          + req.getHeader(RelayHeaders.INTERCEPT)));
                })
            .webSocketHandler(
                ws -> ws.handler(b -> ws.write(Buffer.buffer("alice-echo:").appendBuffer(b))))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    bobApp = app("bob");
    stream = TestRegistryStream.start(bootstrap, registryUrl, PREFIX, "router-it");
    agent1 = agent();
    agent2 = agent();
    Path tokens = Files.createTempFile("tokens", ".txt");
    Files.writeString(
        tokens,
        "# test tokens\n"
            + ALICE
            + " alice shop\n"
            + BOB
            + " bob *\n"
            + CAROL
            + " carol billing\n");
    routerConfig =
        RouterConfig.of(bootstrap, SchemaRegistryConfig.of(registryUrl), tokens)
            .withTopicPrefix(PREFIX)
            .withSigning(TestRouterKeys.SIGNING);
    router = Router.start(routerConfig);
    await().atMost(Duration.ofSeconds(60)).until(() -> router.view().ready());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> router.view().liveAgents(WORKLOAD).size() == 2);
  }

  static HttpServer app(String name) throws Exception {
    return vertx
        .createHttpServer()
        .requestHandler(
            req ->
                req.body()
                    .onSuccess(
                        body -> req.response().end(name + ":" + req.path() + ":" + body.length())))
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get();
  }

  static EdgeAgent agent() throws Exception {
    EdgeAgent a =
        EdgeAgent.start(
            EdgeAgentConfig.of(
                    WORKLOAD,
                    "127.0.0.1",
                    0,
                    "127.0.0.1",
                    cluster.actualPort(),
                    bootstrap,
                    SchemaRegistryConfig.of(registryUrl))
                .withTopicPrefix(PREFIX)
                .withTrustedRouters(TestRouterKeys.TRUSTED));
    await().atMost(Duration.ofSeconds(60)).until(() -> a.routes().caughtUp());
    return a;
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {router, agent1, agent2, stream}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // keep closing
      }
    }
    vertx.close();
  }

  static InterceptSpec spec(String id, String header, Duration ttl) {
    return new InterceptSpec(id, WORKLOAD, MatchRules.header("x-sidetrack-id", header), ttl, false);
  }

  /** A developer's CLI in this JVM: its own Vert.x, like the real one. */
  static final class Dev implements TunnelEvents {
    final Vertx own = Vertx.vertx();
    final TunnelClient client;
    final List<String> log = new CopyOnWriteArrayList<>();

    Dev(String token, InterceptSpec spec, int localPort, String... routers) {
      this(token, spec, localPort, AppProtocol.AUTO, routers);
    }

    Dev(String token, InterceptSpec spec, int localPort, AppProtocol protocol, String... routers) {
      List<String> urls = new ArrayList<>(List.of(routers));
      if (urls.isEmpty()) {
        urls.add(router.url());
      }
      client =
          new TunnelClient(own, urls, token, owner -> spec, "127.0.0.1", localPort, protocol, this);
    }

    String start() throws Exception {
      try {
        return client.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw (Exception) e.getCause();
      }
    }

    void leave() throws Exception {
      client.leave().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      own.close();
    }

    /** The laptop crashes: no leave, the connection just goes. */
    void crash() throws Exception {
      own.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Override
    public void relayed(String method, String uri, int status, double millis) {
      log.add(method + " " + uri + " " + status);
    }

    @Override
    public void disconnected(String why, long retryInMillis) {
      log.add("disconnected: " + why);
    }

    @Override
    public void connected(String url, String owner) {
      log.add("connected: " + url);
    }

    @Override
    public void active(String interceptId, int agents, long millis) {
      log.add("active: " + interceptId);
    }

    @Override
    public void pending(String detail) {
      log.add("pending: " + detail);
    }
  }

  static HttpResponse<String> get(EdgeAgent via, String header, String path) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + via.port() + path));
    if (header != null) {
      b.header("x-sidetrack-id", header);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void twoDevelopersEachGetOnlyTheirRequestsThroughEveryReplica() throws Exception {
    Dev alice =
        new Dev(ALICE, spec("i-alice-1", "alice", Duration.ofSeconds(30)), aliceApp.actualPort());
    Dev bob = new Dev(BOB, spec("i-bob-1", "bob", Duration.ofSeconds(30)), bobApp.actualPort());
    assertThat(alice.start()).isEqualTo("i-alice-1");
    assertThat(bob.start()).isEqualTo("i-bob-1");

    // "active" means every live agent applied the route: no waiting here
    for (EdgeAgent via : List.of(agent1, agent2)) {
      assertThat(get(via, "alice", "/orders/1").body()).isEqualTo("alice:/orders/1:0:alice:null");
      assertThat(get(via, "bob", "/orders/2").body()).isEqualTo("bob:/orders/2:0");
      assertThat(get(via, null, "/orders/3").body()).isEqualTo("cluster:/orders/3:0");
      assertThat(get(via, "carol", "/orders/4").body()).isEqualTo("cluster:/orders/4:0");
    }
    assertThat(alice.log).contains("GET /orders/1 200");
    assertThat(bob.log).doesNotContain("GET /orders/1 200");

    alice.leave();
    bob.leave();
    await().atMost(Duration.ofSeconds(10)).until(() -> router.view().route("i-alice-1").isEmpty());
    assertThat(get(agent1, "alice", "/after").body()).isEqualTo("cluster:/after:0");
  }

  @Test
  void bodiesStreamBothWaysAndTwoHundredRequestsShareOneTunnel() throws Exception {
    Dev alice =
        new Dev(ALICE, spec("i-alice-2", "alice2", Duration.ofSeconds(30)), aliceApp.actualPort());
    alice.start();
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      EdgeAgent via = i % 2 == 0 ? agent1 : agent2;
      inFlight.add(
          HTTP.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + via.port() + "/up/" + i))
                  .header("x-sidetrack-id", "alice2")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1000 + i * 997]))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < 200; i++) {
      HttpResponse<String> r = inFlight.get(i).get(60, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("alice:/up/" + i + ":" + (1000 + i * 997) + ":alice2:null");
    }
    // 64 MiB up, through agent, router and tunnel, with no Content-Length (chunked)
    long size = 64L * 1024 * 1024;
    HttpResponse<String> big =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent1.port() + "/big"))
                .header("x-sidetrack-id", "alice2")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> zeros(size)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(big.body()).isEqualTo("alice:/big:" + size + ":alice2:null");
    alice.leave();
  }

  static InputStream zeros(long size) {
    return new InputStream() {
      long left = size;

      @Override
      public int read() {
        if (left == 0) {
          return -1;
        }
        left--;
        return 0;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left == 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        java.util.Arrays.fill(b, off, off + n, (byte) 0);
        left -= n;
        return n;
      }
    };
  }

  @Test
  void aStalledReaderHoldsBackOnlyItsOwnStream() throws Exception {
    Dev alice =
        new Dev(ALICE, spec("i-alice-9", "alice9", Duration.ofSeconds(30)), aliceApp.actualPort());
    alice.start();
    java.net.Socket stalled = new java.net.Socket("127.0.0.1", agent1.port());
    stalled
        .getOutputStream()
        .write(
            "GET /download HTTP/1.1\r\nHost: shop\r\nx-sidetrack-id: alice9\r\n\r\n"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    // the reader takes nothing: the app is held back after the windows and socket buffers fill
    // (the kernel's socket buffers on the way grow for a while, then nothing moves)
    await().atMost(Duration.ofSeconds(10)).until(() -> downloadWritten.get() > 0);
    long[] last = {-1};
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(1000))
        .until(
            () -> {
              long now = downloadWritten.get();
              boolean still = now == last[0];
              last[0] = now;
              return still;
            });
    assertThat(last[0]).isLessThan(40L << 20);
    // meanwhile the same tunnel serves other requests
    for (int i = 0; i < 20; i++) {
      assertThat(get(agent2, "alice9", "/other/" + i).body()).startsWith("alice:/other/" + i);
    }
    // once the reader reads, the rest follows
    InputStream in = stalled.getInputStream();
    byte[] buf = new byte[1 << 16];
    long read = 0;
    while (read < (DOWNLOAD)) {
      int n = in.read(buf);
      assertThat(n).isPositive();
      read += n;
    }
    assertThat(downloadWritten.get()).isEqualTo(DOWNLOAD);
    stalled.close();
    alice.leave();
  }

  @Test
  void webSocketsAndServerSentEventsPassAndCancellationReachesTheApp() throws Exception {
    Dev alice =
        new Dev(ALICE, spec("i-alice-3", "alice3", Duration.ofSeconds(30)), aliceApp.actualPort());
    alice.start();
    WebSocketClient ws = vertx.createWebSocketClient();
    CompletableFuture<String> echoed = new CompletableFuture<>();
    ws.connect(
            new WebSocketConnectOptions()
                .setHost("127.0.0.1")
                .setPort(agent2.port())
                .setURI("/ws")
                .addHeader("x-sidetrack-id", "alice3"))
        .onSuccess(
            socket -> {
              socket.handler(b -> echoed.complete(b.toString()));
              socket.write(Buffer.buffer("hello"));
            })
        .onFailure(echoed::completeExceptionally);
    assertThat(echoed.get(20, TimeUnit.SECONDS)).isEqualTo("alice-echo:hello");

    // SSE: read three events, then hang up; the app sees its request closed
    java.net.Socket s = new java.net.Socket("127.0.0.1", agent1.port());
    s.getOutputStream()
        .write(
            ("GET /events HTTP/1.1\r\nHost: shop\r\nx-sidetrack-id: alice3\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    InputStream in = s.getInputStream();
    StringBuilder seen = new StringBuilder();
    byte[] buf = new byte[1024];
    while (seen.toString().split("data: tick", -1).length <= 3) {
      int n = in.read(buf);
      assertThat(n).isPositive();
      seen.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII));
    }
    assertThat(seen.toString()).contains("text/event-stream");
    s.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> aliceSaw.contains("closed /events"));
    alice.leave();
  }

  @Test
  void refusalsSayWhy() throws Exception {
    Dev alice =
        new Dev(ALICE, spec("i-alice-4", "shared", Duration.ofSeconds(30)), aliceApp.actualPort());
    alice.start();

    Dev bob = new Dev(BOB, spec("i-bob-4", "shared", Duration.ofSeconds(30)), bobApp.actualPort());
    assertThatThrownBy(bob::start)
        .hasMessageContaining("rejected")
        .hasMessageContaining("i-alice-4")
        .hasMessageContaining("alice");
    bob.crash();

    Dev thief =
        new Dev(BOB, spec("i-alice-4", "other", Duration.ofSeconds(30)), bobApp.actualPort());
    assertThatThrownBy(thief::start).hasMessageContaining("belongs to alice");
    thief.crash();

    Dev carol =
        new Dev(CAROL, spec("i-carol-4", "carol", Duration.ofSeconds(30)), bobApp.actualPort());
    assertThatThrownBy(carol::start)
        .hasMessageContaining("may not intercept workload 'shop'")
        .hasMessageContaining("billing");
    carol.crash();

    Dev nowhere =
        new Dev(
            BOB,
            new InterceptSpec(
                "i-bob-5",
                "nowhere",
                MatchRules.header("x-sidetrack-id", "b"),
                Duration.ofSeconds(30),
                false),
            bobApp.actualPort());
    assertThatThrownBy(nowhere::start).hasMessageContaining("unknown workload 'nowhere'");
    nowhere.crash();

    Dev badRegex =
        new Dev(
            BOB,
            new InterceptSpec(
                "i-bob-6",
                WORKLOAD,
                new MatchRules(
                    List.of(io.sidetrack.core.HeaderMatch.regex("x-sidetrack-id", "(unclosed")),
                    List.of(),
                    null,
                    null,
                    false),
                Duration.ofSeconds(30),
                false),
            bobApp.actualPort());
    assertThatThrownBy(badRegex::start)
        .hasMessageContaining("rejected")
        .hasMessageContaining("regex");
    badRegex.crash();

    Dev badToken = new Dev("not-a-token-at-all-000", spec("i-x", "x", Duration.ofSeconds(30)), 1);
    assertThatThrownBy(badToken::start).hasMessageContaining("refused the token");
    badToken.crash();

    Dev unreachable =
        new Dev(BOB, spec("i-y", "y", Duration.ofSeconds(30)), 1, "http://127.0.0.1:1");
    assertThatThrownBy(unreachable::start).hasMessageContaining("router unreachable");
    unreachable.crash();

    alice.leave();
  }

  @Test
  void aWorkloadWhoseAgentsWentSilentIsWaitedForNotRefusedAsUnknown() throws Exception {
    // an agent of "quiet" was heard 15 s ago and never said goodbye (no tombstone): older than the
    // router's agent timeout, as when a broker fails over and heartbeats are held up
    String topic = PREFIX + io.sidetrack.core.Topics.AGENTS;
    io.sidetrack.schemas.serde.AvroSerde<io.sidetrack.schemas.avro.AgentHeartbeat> serde =
        io.sidetrack.schemas.serde.AvroSerde.forValues(
            io.sidetrack.schemas.registry.SchemaRegistryClients.create(
                SchemaRegistryConfig.of(registryUrl)),
            io.sidetrack.schemas.avro.AgentHeartbeat.class);
    java.time.Instant heard = java.time.Instant.now().minusSeconds(15);
    byte[] beat =
        serde.serialize(
            topic,
            io.sidetrack.schemas.avro.AgentHeartbeat.newBuilder()
                .setAgentId("quiet-agent")
                .setWorkload("quiet")
                .setPartition(0)
                .setAppliedOffset(0)
                .setReady(true)
                .setRoutes(0)
                .setStartedAt(heard.minusSeconds(60))
                .setTime(heard)
                .build());
    try (org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> producer =
        new org.apache.kafka.clients.producer.KafkaProducer<>(
            java.util.Map.of("bootstrap.servers", bootstrap),
            new org.apache.kafka.common.serialization.StringSerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      producer
          .send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "quiet-agent", beat))
          .get(30, TimeUnit.SECONDS);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> router.view().lastHeard("quiet").isPresent());
    assertThat(router.view().liveAgents("quiet")).isEmpty();

    Dev bob =
        new Dev(
            BOB,
            new InterceptSpec(
                "i-bob-quiet",
                "quiet",
                MatchRules.header("x-sidetrack-id", "q"),
                Duration.ofSeconds(30),
                false),
            bobApp.actualPort());
    var started = bob.client.start();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> bob.log.stream().anyMatch(l -> l.contains("has reported for")));
    assertThat(bob.log).anyMatch(l -> l.contains("no edge agent of quiet has reported for"));
    assertThat(started.isComplete()).as("neither refused nor active while it waits").isFalse();
    bob.crash();
  }

  @Test
  void aCrashedLaptopFailsOpenAtOnceAndItsLeaseRunsOut() throws Exception {
    Dev alice =
        new Dev(ALICE, spec("i-alice-7", "alice7", Duration.ofSeconds(6)), aliceApp.actualPort());
    alice.start();
    assertThat(get(agent1, "alice7", "/x").body()).startsWith("alice:");
    alice.crash();
    AtomicInteger failures = new AtomicInteger();
    long deadline = System.nanoTime() + Duration.ofSeconds(12).toNanos();
    boolean gone = false;
    while (System.nanoTime() < deadline && !gone) {
      HttpResponse<String> r = get(agent1, "alice7", "/x");
      if (r.statusCode() != 200) {
        failures.incrementAndGet();
      }
      gone = router.view().route("i-alice-7").isEmpty();
      if (!r.body().startsWith("alice:")) {
        assertThat(r.body()).isEqualTo("cluster:/x:0");
      }
      Thread.sleep(50);
    }
    assertThat(failures.get()).isZero();
    assertThat(gone).as("route removed within the TTL").isTrue();
  }

  @Test
  void aLaptopWhoseNetworkGoesSilentFallsBackBeforeItsLeaseEnds() throws Exception {
    // the laptop's network: a relay that stops passing bytes without closing anything
    AtomicBoolean silent = new AtomicBoolean();
    NetServer link =
        vertx
            .createNetServer()
            .connectHandler(
                in -> {
                  in.pause();
                  vertx
                      .createNetClient()
                      .connect(router.port(), "127.0.0.1")
                      .onFailure(e -> in.close())
                      .onSuccess(
                          out -> {
                            in.handler(
                                b -> {
                                  if (!silent.get()) {
                                    out.write(b);
                                  }
                                });
                            out.handler(
                                b -> {
                                  if (!silent.get()) {
                                    in.write(b);
                                  }
                                });
                            in.closeHandler(v -> out.close());
                            out.closeHandler(v -> in.close());
                            in.resume();
                          });
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    // a lease longer than the test waits: only finding the tunnel dead ends it in time
    Dev bob =
        new Dev(
            BOB,
            spec("i-bob-silent", "bob-silent", Duration.ofSeconds(60)),
            bobApp.actualPort(),
            "http://127.0.0.1:" + link.actualPort());
    bob.start();
    assertThat(get(agent1, "bob-silent", "/x").body()).startsWith("bob:");

    silent.set(true);
    long cut = System.nanoTime();
    HttpClient quick = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    await()
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              try {
                return quick
                    .send(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + agent1.port() + "/x"))
                            .header("x-sidetrack-id", "bob-silent")
                            .timeout(Duration.ofSeconds(3))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body()
                    .equals("cluster:/x:0");
              } catch (java.net.http.HttpTimeoutException e) {
                return false; // still sent into the silent tunnel
              }
            });
    assertThat(Duration.ofNanos(System.nanoTime() - cut))
        .as("requests back on the cluster well before the 60 s lease")
        .isLessThan(Duration.ofSeconds(30));
    bob.crash();
    link.close();
  }

  @Test
  void aRouterRestartLosesNoIntercept() throws Exception {
    Path tokens = routerConfig.tokensFile();
    Router second =
        Router.start(
            RouterConfig.of(bootstrap, SchemaRegistryConfig.of(registryUrl), tokens)
                .withTopicPrefix(PREFIX)
                .withSigning(TestRouterKeys.SIGNING));
    String url = second.url();
    int port = second.port();
    int relay = second.relayPort();
    await().atMost(Duration.ofSeconds(60)).until(() -> second.view().ready());
    Dev alice =
        new Dev(
            ALICE, spec("i-alice-8", "alice8", Duration.ofSeconds(20)), aliceApp.actualPort(), url);
    alice.start();
    assertThat(get(agent1, "alice8", "/r").body()).startsWith("alice:/r");
    // the other router instance holds no tunnel for it: it says so, and does not relay
    HttpResponse<String> elsewhere =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.relayPort() + "/r"))
                .header(RelayHeaders.INTERCEPT, "i-alice-8")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(elsewhere.statusCode()).isEqualTo(502);
    assertThat(elsewhere.headers().firstValue(RelayHeaders.NO_TUNNEL))
        .hasValueSatisfying(v -> assertThat(v).contains("no tunnel for intercept i-alice-8"));
    var createdAt = second.view().route("i-alice-8").orElseThrow().route().createdAt();

    second.close();
    // while it is down, agents fail open
    HttpResponse<String> during = get(agent2, "alice8", "/r");
    assertThat(during.body()).isEqualTo("cluster:/r:0");

    Router again =
        Router.start(
            RouterConfig.of(bootstrap, SchemaRegistryConfig.of(registryUrl), tokens)
                .withTopicPrefix(PREFIX)
                .withPorts(port, relay, null)
                .withSigning(TestRouterKeys.SIGNING));
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .alias("the CLI reclaims its intercept; its log: " + alice.log)
          .until(() -> get(agent1, "alice8", "/r").body().startsWith("alice:/r"));
      assertThat(again.view().route("i-alice-8").orElseThrow().route().createdAt())
          .isEqualTo(createdAt);
      assertThat(alice.log).anyMatch(l -> l.startsWith("disconnected"));
      alice.leave();
    } finally {
      again.close();
    }
  }

  @Test
  void aCallerThatGoesAwayResetsTheCallOnAnH2cLaptopApp() throws Exception {
    CompletableFuture<String> laptopSaw = new CompletableFuture<>();
    CompletableFuture<Void> laptopReset = new CompletableFuture<>();
    HttpServer h2cApp =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  // never answers: only the caller going away ends the call
                  laptopSaw.complete(req.version() + " " + req.getHeader("te"));
                  req.response().closeHandler(v -> laptopReset.complete(null));
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    Dev alice =
        new Dev(
            ALICE,
            spec("i-alice-h2", "alice-h2", Duration.ofSeconds(30)),
            h2cApp.actualPort(),
            AppProtocol.H2C);
    try {
      alice.start();
      try (java.net.Socket caller = new java.net.Socket("127.0.0.1", router.relayPort())) {
        caller
            .getOutputStream()
            .write(
                ("GET /hang HTTP/1.1\r\nHost: orders\r\n"
                        + RelayHeaders.INTERCEPT
                        + ": i-alice-h2\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        caller.getOutputStream().flush();
        assertThat(laptopSaw.get(10, TimeUnit.SECONDS)).isEqualTo("HTTP_2 trailers");
      }
      // the caller's connection closed: the router resets the stream, the CLI the local call
      laptopReset.get(10, TimeUnit.SECONDS);
      alice.leave();
    } finally {
      h2cApp.close();
    }
  }
}
