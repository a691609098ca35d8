package io.sidetrack.cli.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.sidetrack.cli.OidcServer;
import io.sidetrack.cli.TestRegistryStream;
import io.sidetrack.cli.TestRouterKeys;
import io.sidetrack.core.MatchRules;
import io.sidetrack.edge.EdgeAgent;
import io.sidetrack.edge.EdgeAgentConfig;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.router.Router;
import io.sidetrack.router.RouterConfig;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.stream.RegistryStreamApp;
import io.sidetrack.tunnel.InterceptSpec;
import io.sidetrack.tunnel.PreviewAccess;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #12 part 5: every way in that must fail, against a real router on the real broker, with
 * JWTs of a real OIDC server in its own JVM (its keys, its JWKS) and a tokens file beside it. Each
 * is answered 401 or 403 (a tunnel's too, at its upgrade request) with one clear reason; nothing of
 * it reaches {@code sidetrack.intercepts} and no request is routed by it.
 */
@Timeout(300)
class AuthorizationMatrixIT {
  static final String WORKLOAD = "shop";
  static final String PREFIX = "m" + UUID.randomUUID().toString().substring(0, 8) + ".";
  static final String DAVE = "dave-token-0123456789";
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static OidcServer oidc;
  static Vertx vertx;
  static HttpServer cluster;
  static HttpServer aliceApp;
  static RegistryStreamApp stream;
  static EdgeAgent agent;
  static Router router;
  static final List<String> aliceSaw = new CopyOnWriteArrayList<>();
  static String alice;
  static String bob;
  static String carol;
  static String alicePreview;

  @BeforeAll
  static void start() throws Exception {
    JsonArray aud = new JsonArray().add("sidetrack");
    oidc =
        OidcServer.start(
            Map.of(
                "alice",
                new JsonObject()
                    .put("preferred_username", "alice")
                    .put("aud", aud)
                    .put("sidetrack_workloads", new JsonArray().add(WORKLOAD)),
                "bob",
                new JsonObject()
                    .put("preferred_username", "bob")
                    .put("aud", aud)
                    .put("groups", new JsonArray().add("team-shop")),
                "carol",
                new JsonObject()
                    .put("preferred_username", "carol")
                    .put("aud", aud)
                    .put("sidetrack_workloads", "billing"),
                "expired",
                new JsonObject()
                    .put("preferred_username", "alice")
                    .put("aud", aud)
                    .put("iat", 1_000_000_000L)
                    .put("nbf", 1_000_000_000L)
                    .put("exp", 1_000_000_600L),
                "elsewhere",
                new JsonObject()
                    .put("preferred_username", "alice")
                    .put("aud", aud)
                    .put("iss", "https://elsewhere.example"),
                "other-audience",
                new JsonObject()
                    .put("preferred_username", "alice")
                    .put("aud", new JsonArray().add("another-app"))));
    alice = oidc.token("alice");
    bob = oidc.token("bob");
    carol = oidc.token("carol");

    String bootstrap = SharedInfrastructure.kafka();
    String registryUrl = SharedInfrastructure.schemaRegistry();
    vertx = Vertx.vertx();
    cluster = app(req -> req.response().end("cluster:" + req.path()));
    aliceApp =
        app(
            req -> {
              aliceSaw.add(req.method() + " " + req.uri());
              req.response().end("alice:" + req.path());
            });
    stream = TestRegistryStream.start(bootstrap, registryUrl, PREFIX, "matrix-it");
    agent =
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
    await().atMost(Duration.ofSeconds(60)).until(() -> agent.routes().caughtUp());

    Path dir = Files.createTempDirectory("matrix");
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, DAVE + " dave shop\n");
    Path groups = dir.resolve("groups");
    Files.writeString(groups, "team-shop shop\n");
    RouterConfig.Identity identity =
        new RouterConfig.Identity(
            Duration.ofSeconds(1),
            oidc.issuer(),
            null,
            "sidetrack",
            RouterConfig.Identity.DEFAULT_IDENTITY_CLAIM,
            RouterConfig.Identity.DEFAULT_WORKLOADS_CLAIM,
            RouterConfig.Identity.DEFAULT_GROUPS_CLAIM,
            RouterConfig.Identity.groupWorkloads(groups.toString(), Files.readAllLines(groups)),
            RouterConfig.Identity.DEFAULT_CLOCK_SKEW);
    router =
        Router.start(
            RouterConfig.of(bootstrap, SchemaRegistryConfig.of(registryUrl), tokens)
                .withTopicPrefix(PREFIX)
                .withSigning(TestRouterKeys.SIGNING)
                .withIdentity(identity)
                .withPreview(
                    new RouterConfig.Preview(
                        "127.0.0.1",
                        0,
                        RouterConfig.Preview.DEFAULT_DOMAIN,
                        Map.of(WORKLOAD, URI.create("http://127.0.0.1:" + agent.port())))));
    await().atMost(Duration.ofSeconds(60)).until(() -> router.view().ready());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !router.view().liveAgents(WORKLOAD).isEmpty());

    // the one intercept that may be: alice's, with her JWT, previewed to token holders
    Dev owner =
        new Dev(
            alice,
            new InterceptSpec(
                "i-alice",
                WORKLOAD,
                MatchRules.header("x-sidetrack-id", "alice"),
                Duration.ofSeconds(30),
                false,
                PreviewAccess.TOKEN),
            aliceApp.actualPort());
    assertThat(owner.start()).isEqualTo("i-alice");
    alicePreview = owner.preview.get(30, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> get("alice", "/ping").body().equals("alice:/ping"));
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {router, agent, stream, oidc}) {
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
  }

  static HttpServer app(io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest> h)
      throws Exception {
    return vertx
        .createHttpServer()
        .requestHandler(h)
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get();
  }

  /** A request through the workload's edge agent. */
  static HttpResponse<String> get(String header, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path))
            .header("x-sidetrack-id", header)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> api(String method, String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(router.url() + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String error(HttpResponse<String> r) {
    return new JsonObject(r.body()).getString("error");
  }

  /** Alice's claims, signed by a key of our own that claims the issuer's key id. */
  static String forged() throws Exception {
    String kid = SignedJWT.parse(alice).getHeader().getKeyID();
    RSAKey mine = new RSAKeyGenerator(2048).keyID(kid).generate();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).type(JOSEObjectType.JWT).build(),
            SignedJWT.parse(alice).getJWTClaimsSet());
    jwt.sign(new RSASSASigner(mine));
    return jwt.serialize();
  }

  /** A JWT with {@code alg: none}: claims anyone could write. */
  static String unsigned() throws Exception {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder(SignedJWT.parse(alice).getJWTClaimsSet())
            .expirationTime(Date.from(Instant.now().plusSeconds(600)))
            .build();
    return new com.nimbusds.jwt.PlainJWT(claims).serialize();
  }

  @Test
  void everyBadCredentialIsA401WithItsReasonAndReachesNothing() throws Exception {
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("eyJhbGciOiJSUzI1NiJ9.broken.token", "malformed token: not a signed JWT");
    cases.put(oidc.token("expired"), "JWT expired at 2001-09-09T01:56:40Z");
    cases.put(forged(), "JWT signature does not verify with the issuer's key");
    cases.put(oidc.token("elsewhere"), "JWT issued by 'https://elsewhere.example'");
    cases.put(
        oidc.token("other-audience"), "JWT audience [another-app] does not include 'sidetrack'");
    cases.put(unsigned(), "malformed token: not a signed JWT");
    cases.put("not-a-token-of-this-router", "unknown token: the router's tokens file");

    HttpResponse<String> none = api("GET", "/v1/whoami", null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(error(none)).startsWith("no bearer token");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> r = api("GET", "/v1/whoami", c.getKey());
      assertThat(r.statusCode()).as(c.getValue()).isEqualTo(401);
      assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer");
      assertThat(error(r)).as(c.getValue()).startsWith(c.getValue());
      HttpResponse<String> leave = api("DELETE", "/v1/intercepts/i-alice", c.getKey());
      assertThat(leave.statusCode()).isEqualTo(401);
    }
    // the same through a tunnel: refused at the handshake, with the reason
    Dev expired = new Dev(oidc.token("expired"), spec("i-expired", "x1"), aliceApp.actualPort());
    assertThatThrownBy(expired::start)
        .hasMessageContaining("refused the token")
        .hasMessageContaining("JWT expired at");
    expired.crash();

    assertThat(api("GET", "/v1/whoami", alice).body()).contains("\"owner\":\"alice\"");
    assertThat(api("GET", "/v1/whoami", DAVE).body()).contains("\"owner\":\"dave\"");
    assertNothingPublishedBut("i-alice");
  }

  @Test
  void anotherOwnersInterceptAndAWorkloadNotAllowedAre403OrRefusedWithTheReason() throws Exception {
    // bob may intercept shop (through his group), but i-alice is alice's
    HttpResponse<String> leave = api("DELETE", "/v1/intercepts/i-alice", bob);
    assertThat(leave.statusCode()).isEqualTo(403);
    assertThat(error(leave)).isEqualTo("intercept i-alice belongs to alice, not bob");
    HttpResponse<String> daves = api("DELETE", "/v1/intercepts/i-alice", DAVE);
    assertThat(daves.statusCode()).isEqualTo(403);

    // a tunnel's upgrade request naming them is answered 403 with the reason, no WebSocket opens
    assertThat(tunnelUpgrade(bob, "?workload=shop&id=i-alice"))
        .isEqualTo("403 intercept id i-alice belongs to alice");
    assertThat(tunnelUpgrade(carol, "?workload=shop"))
        .startsWith("403 the token of carol may not intercept workload 'shop'")
        .contains("billing");
    assertThat(tunnelUpgrade(bob, "?workload=shop&id=i-bob")).isEqualTo("101");

    Dev thief = new Dev(bob, spec("i-alice", "bob"), aliceApp.actualPort());
    assertThatThrownBy(thief::start)
        .hasMessageContaining("refused the tunnel: intercept id i-alice belongs to alice");
    thief.crash();

    Dev carols = new Dev(carol, spec("i-carol", "carol"), aliceApp.actualPort());
    assertThatThrownBy(carols::start)
        .hasMessageContaining(
            "refused the tunnel: the token of carol may not intercept workload 'shop'")
        .hasMessageContaining("billing");
    carols.crash();

    // a CLI that does not name them in the upgrade is refused inside the tunnel, for the same
    // reason
    Dev quietThief = new Dev(bob, spec("i-alice", "bob"), aliceApp.actualPort(), false);
    assertThatThrownBy(quietThief::start)
        .hasMessageNotContaining("refused the tunnel")
        .hasMessageContaining("intercept id i-alice belongs to alice");
    quietThief.crash();

    // nothing was routed by any of it: alice's intercept is as it was, the rest go to the pods
    assertThat(get("alice", "/still").body()).isEqualTo("alice:/still");
    assertThat(get("bob", "/b").body()).isEqualTo("cluster:/b");
    assertThat(get("carol", "/c").body()).isEqualTo("cluster:/c");
    assertThat(aliceSaw).noneMatch(s -> s.contains("/b") || s.contains("/c"));
    assertNothingPublishedBut("i-alice");
  }

  @Test
  void aTokenPreviewAdmitsOnlyItsOwnersIdentity() throws Exception {
    URI signIn = URI.create(alicePreview);
    int before = aliceSaw.size();
    Answer bobs = postSignIn(signIn, bob);
    assertThat(bobs.statusCode()).isEqualTo(403);
    assertThat(bobs.body()).contains("open only to its owner, alice; the token is of bob");
    assertThat(bobs.headers().contains("set-cookie")).isFalse();
    Answer daves = postSignIn(signIn, DAVE);
    assertThat(daves.statusCode()).isEqualTo(403);
    Answer expired = postSignIn(signIn, oidc.token("expired"));
    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(expired.body()).contains("JWT expired at");
    assertThat(aliceSaw).hasSize(before);

    Answer owners = postSignIn(signIn, alice);
    assertThat(owners.statusCode()).isEqualTo(303);
    assertThat(owners.headers().get("set-cookie")).startsWith("sidetrack-preview=");
  }

  record Answer(int statusCode, io.vertx.core.MultiMap headers, String body) {}

  /** The router's answer to a tunnel upgrade request: "101", or the status and its error. */
  static String tunnelUpgrade(String token, String query) throws Exception {
    io.vertx.core.http.WebSocketClient ws = vertx.createWebSocketClient();
    try {
      return ws.connect(
              new io.vertx.core.http.WebSocketConnectOptions()
                  .setAbsoluteURI(
                      router.url().replace("http://", "ws://")
                          + io.sidetrack.tunnel.Control.PATH
                          + query)
                  .addHeader("authorization", "Bearer " + token))
          .compose(socket -> socket.close().map("101"))
          .recover(
              e ->
                  e instanceof io.vertx.core.http.UpgradeRejectedException r
                      ? io.vertx.core.Future.succeededFuture(
                          r.getStatus()
                              + " "
                              + new JsonObject(r.getBody()).getString("error", "(none)"))
                      : io.vertx.core.Future.failedFuture(e))
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } finally {
      ws.close();
    }
  }

  /** The sign-in form posted to the preview's host (on loopback, its Host header kept). */
  static Answer postSignIn(URI preview, String token) throws Exception {
    io.vertx.core.http.RequestOptions options =
        new io.vertx.core.http.RequestOptions()
            .setServer(
                io.vertx.core.net.SocketAddress.inetSocketAddress(preview.getPort(), "127.0.0.1"))
            .setHost(preview.getHost())
            .setPort(preview.getPort())
            .setMethod(io.vertx.core.http.HttpMethod.POST)
            .setURI("/.sidetrack/preview/sign-in")
            .addHeader("content-type", "application/x-www-form-urlencoded");
    return vertx
        .createHttpClient()
        .request(options)
        .compose(
            r ->
                r.send("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&next=%2F")
                    .compose(
                        res ->
                            res.body()
                                .map(
                                    b ->
                                        new Answer(res.statusCode(), res.headers(), b.toString()))))
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  static InterceptSpec spec(String id, String header) {
    return new InterceptSpec(
        id, WORKLOAD, MatchRules.header("x-sidetrack-id", header), Duration.ofSeconds(30), false);
  }

  /** Every key ever written to the intercepts topic is one of {@code allowed}. */
  static void assertNothingPublishedBut(String... allowed) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafka());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "matrix-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Set<String> keys = new HashSet<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(router.topics().intercepts()));
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (System.nanoTime() < end) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          keys.add(r.key());
        }
      }
    }
    assertThat(keys).contains("i-alice").isSubsetOf(Set.of(allowed));
  }

  /** A developer's CLI in this JVM: its own Vert.x, like the real one. */
  static final class Dev implements TunnelEvents {
    final Vertx own = Vertx.vertx();
    final TunnelClient client;
    final CompletableFuture<String> preview = new CompletableFuture<>();

    Dev(String token, InterceptSpec spec, int localPort) {
      this(token, spec, localPort, true);
    }

    /** {@code naming}: the upgrade request names the workload and id, as the real CLI does. */
    Dev(String token, InterceptSpec spec, int localPort, boolean naming) {
      client =
          new TunnelClient(
              own,
              List.of(router.url()),
              token,
              owner -> spec,
              "127.0.0.1",
              localPort,
              AppProtocol.AUTO,
              this);
      if (naming) {
        client.asking(spec.workload(), spec.id());
      }
    }

    String start() throws Exception {
      try {
        return client.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw (Exception) e.getCause();
      }
    }

    void crash() throws Exception {
      own.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Override
    public void preview(String url) {
      preview.complete(url);
    }
  }
}
