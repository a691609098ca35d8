package io.sidetrack.cli.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sidetrack.cli.Sidetrack;
import io.sidetrack.cli.TestRegistryStream;
import io.sidetrack.cli.TestRouterKeys;
import io.sidetrack.cli.tunnel.AppProtocol;
import io.sidetrack.cli.tunnel.RouterTrust;
import io.sidetrack.cli.tunnel.TunnelClient;
import io.sidetrack.cli.tunnel.TunnelEvents;
import io.sidetrack.cli.up.LocalCertificates;
import io.sidetrack.core.MatchRules;
import io.sidetrack.edge.EdgeAgent;
import io.sidetrack.edge.EdgeAgentConfig;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.router.Router;
import io.sidetrack.router.RouterConfig;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.stream.RegistryStreamApp;
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
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * TLS on real sockets, with the real broker, registry-stream, a router serving https/wss on its
 * developer listener and mutual TLS on its relay, two edge agents (one presenting a client
 * certificate, one not), real apps, and the CLI's own commands.
 */
@Timeout(300)
class TlsIT {
  static final String WORKLOAD = "vault";
  static final String PREFIX = "tls" + UUID.randomUUID().toString().substring(0, 8) + ".";
  static final String TOKEN = "alice-tls-token-0123456789";
  static final String CA_NAME = "Sidetrack TLS test CA";

  static Path dir;
  static Path caFile;
  static LocalCertificates ca;
  static String bootstrap;
  static String registryUrl;
  static Vertx vertx;
  static HttpServer cluster;
  static HttpServer laptop;
  static RegistryStreamApp stream;
  static EdgeAgent withCert;
  static EdgeAgent withoutCert;
  static Router router;
  static Path tokens;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("sidetrack-tls");
    ca = LocalCertificates.newCa(CA_NAME);
    caFile = ca.writeCa(dir.resolve("ca.crt"));
    LocalCertificates.Issued listener =
        ca.issueServer(dir, "router", List.of("localhost", "127.0.0.1"));
    LocalCertificates.Issued relay = ca.issueServer(dir, "relay", List.of("127.0.0.1"));
    LocalCertificates.Issued agent = ca.issueClient(dir, "agent", "agent-vault");
    bootstrap = SharedInfrastructure.kafka();
    registryUrl = SharedInfrastructure.schemaRegistry();
    vertx = Vertx.vertx();
    cluster = app("cluster");
    laptop = app("laptop");
    stream = TestRegistryStream.start(bootstrap, registryUrl, PREFIX, "tls-it");
    EdgeAgentConfig.RouterTls verified = new EdgeAgentConfig.RouterTls(caFile, null, null);
    withCert = agent(new EdgeAgentConfig.RouterTls(caFile, agent.cert(), agent.key()));
    withoutCert = agent(verified);
    tokens = dir.resolve("tokens");
    Files.writeString(tokens, TOKEN + " alice " + WORKLOAD + "\n");
    router =
        Router.start(
            RouterConfig.of(bootstrap, SchemaRegistryConfig.of(registryUrl), tokens)
                .withTopicPrefix(PREFIX)
                .withSigning(TestRouterKeys.SIGNING)
                .withTls(
                    new RouterConfig.Tls(
                        new RouterConfig.KeyPair(listener.cert(), listener.key()),
                        new RouterConfig.KeyPair(relay.cert(), relay.key()),
                        caFile)));
    await().atMost(Duration.ofSeconds(60)).until(() -> router.view().ready());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> router.view().liveAgents(WORKLOAD).size() == 2);
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

  static EdgeAgent agent(EdgeAgentConfig.RouterTls tls) throws Exception {
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
                .withRouterTls(tls)
                .withTrustedRouters(TestRouterKeys.TRUSTED));
    await().atMost(Duration.ofSeconds(60)).until(() -> a.routes().caughtUp());
    return a;
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {router, withCert, withoutCert, stream}) {
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

  /** What one run of a {@code sidetrack} command printed, and its exit code. */
  static final class Run {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final CompletableFuture<Integer> exit;

    Run(String... args) {
      CommandLine cli = Sidetrack.commandLine(name -> null);
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      exit = CompletableFuture.supplyAsync(() -> cli.execute(args));
    }

    int code() throws Exception {
      return exit.get(60, TimeUnit.SECONDS);
    }
  }

  static String get(EdgeAgent via, String header, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + via.port() + path))
                .header("x-sidetrack-id", header)
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  String untrustedLine() {
    return "router "
        + router.url()
        + ": certificate not trusted (unknown issuer CN="
        + CA_NAME
        + "): pass --ca FILE";
  }

  @Test
  void interceptOverHttpsAndWssWithTheCaReachesTheLaptopApp() throws Exception {
    assertThat(router.url()).startsWith("https://");
    String ca = caFile.toString();
    Run intercept =
        new Run(
            "intercept",
            WORKLOAD,
            "--port",
            String.valueOf(laptop.actualPort()),
            "--id",
            "i-tls-ok",
            "--router",
            router.url(),
            "--token",
            TOKEN,
            "--ca",
            ca);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> intercept.out.toString().contains("Active:") || intercept.exit.isDone());
    assertThat(intercept.out.toString()).as(intercept.err.toString()).contains("Active:");

    // the request to the workload went agent -> router (mutual TLS) -> tunnel (wss) -> laptop
    assertThat(get(withCert, "alice", "/secret")).isEqualTo("laptop:/secret");
    assertThat(get(withCert, "bob", "/secret")).isEqualTo("cluster:/secret");

    Run list = new Run("list", "--router", router.url(), "--token", TOKEN, "--ca", ca);
    assertThat(list.code()).as(list.err.toString()).isZero();
    assertThat(list.out.toString()).contains("i-tls-ok");

    Run leave =
        new Run("leave", "i-tls-ok", "--router", router.url(), "--token", TOKEN, "--ca", ca);
    assertThat(leave.code()).as(leave.err.toString()).isZero();
    assertThat(intercept.code()).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> router.view().route("i-tls-ok").isEmpty());
  }

  @Test
  void withoutTheCaTheCliRefusesTheRouterInOneLineAndRegistersNothing() throws Exception {
    Run intercept =
        new Run(
            "intercept",
            WORKLOAD,
            "--port",
            String.valueOf(laptop.actualPort()),
            "--id",
            "i-tls-untrusted",
            "--router",
            router.url(),
            "--token",
            TOKEN);
    assertThat(intercept.code()).isEqualTo(1);
    assertThat(intercept.err.toString().lines().toList())
        .containsExactly("sidetrack: error: " + untrustedLine());

    Run list = new Run("list", "--router", router.url(), "--token", TOKEN);
    assertThat(list.code()).isEqualTo(1);
    assertThat(list.err.toString().lines().toList())
        .containsExactly("sidetrack: error: " + untrustedLine());

    // a CA that did not sign the router's certificate is no better
    Path other = LocalCertificates.newCa("Someone else").writeCa(dir.resolve("other-ca.crt"));
    Run withOther =
        new Run("list", "--router", router.url(), "--token", TOKEN, "--ca", other.toString());
    assertThat(withOther.code()).isEqualTo(1);
    assertThat(withOther.err.toString()).contains(untrustedLine());

    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> router.view().route("i-tls-untrusted").isEmpty());
    Run listed =
        new Run("list", "--router", router.url(), "--token", TOKEN, "--ca", caFile.toString());
    assertThat(listed.code()).isZero();
    assertThat(listed.out.toString()).doesNotContain("i-tls-untrusted");
  }

  @Test
  void anAgentWithoutAClientCertificateIsRefusedByTheRelayAndTheRequestReachesTheApp()
      throws Exception {
    Vertx own = Vertx.vertx();
    try {
      TunnelClient client =
          new TunnelClient(
              own,
              List.of(router.url()),
              TOKEN,
              owner ->
                  new InterceptSpec(
                      "i-tls-mtls",
                      WORKLOAD,
                      MatchRules.header("x-sidetrack-id", "mtls"),
                      Duration.ofSeconds(30),
                      false),
              "127.0.0.1",
              laptop.actualPort(),
              AppProtocol.AUTO,
              new TunnelEvents() {},
              RouterTrust.of(caFile, "--ca"));
      client.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);

      assertThat(get(withCert, "mtls", "/a")).isEqualTo("laptop:/a");
      // refused by the relay's handshake: fail open, the workload's own app answers
      assertThat(get(withoutCert, "mtls", "/b")).isEqualTo("cluster:/b");
      assertThat(get(withCert, "mtls", "/c")).isEqualTo("laptop:/c");

      client.leave().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      own.close();
    }
  }

  @Test
  void aReplacedCertificateServesNewConnectionsAndABadOneIsRefusedKeepingTheOld() throws Exception {
    Path own = Files.createDirectories(dir.resolve("reload"));
    LocalCertificates.Issued first = ca.issueServer(own, "listener", List.of("127.0.0.1"));
    try (Router reloading =
        Router.start(
            RouterConfig.of(bootstrap, SchemaRegistryConfig.of(registryUrl), tokens)
                .withTopicPrefix(PREFIX)
                .withSigning(TestRouterKeys.SIGNING)
                .withTls(
                    new RouterConfig.Tls(
                            new RouterConfig.KeyPair(first.cert(), first.key()), null, null)
                        .withReloadInterval(Duration.ofMillis(200))))) {
      RouterTrust byFirst = RouterTrust.of(caFile, "--ca");
      assertThat(status(reloading, byFirst)).isEqualTo(200);

      LocalCertificates second = LocalCertificates.newCa("Second CA");
      RouterTrust bySecond = RouterTrust.of(second.writeCa(own.resolve("second.crt")), "--ca");
      second.issueServer(own, "listener", List.of("127.0.0.1"));
      await().atMost(Duration.ofSeconds(10)).until(() -> trusts(reloading, bySecond));
      assertThatThrownBy(() -> status(reloading, byFirst))
          .isInstanceOf(SSLException.class)
          .satisfies(
              e ->
                  assertThat(RouterTrust.untrusted(reloading.url(), e))
                      .hasValueSatisfying(line -> assertThat(line).contains("CN=Second CA")));

      // a key that does not belong to the certificate: logged, and the served one stays
      LocalCertificates.newCa("Third CA").issueServer(own, "other", List.of("127.0.0.1"));
      Files.copy(
          own.resolve("other.key"),
          own.resolve("listener.key"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(5))
          .until(() -> trusts(reloading, bySecond));
    }
  }

  static int status(Router r, RouterTrust trust) throws Exception {
    HttpClient http = HttpClient.newBuilder().sslContext(trust.sslContext()).build();
    return http.send(
            HttpRequest.newBuilder(URI.create(r.url() + "/v1/intercepts"))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  static boolean trusts(Router r, RouterTrust trust) {
    try {
      return status(r, trust) == 200;
    } catch (Exception e) {
      return false;
    }
  }
}
