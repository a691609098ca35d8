package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.edge.EdgeAgent;
import io.sidetrack.edge.EdgeAgentConfig;
import io.sidetrack.embedded.Ports;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.embedded.Zeros;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.stream.RegistryStreamApp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The router and the developer's CLI as real processes ({@code bin/sidetrack router}, {@code
 * bin/sidetrack intercept}), beside the real broker, registry, registry-stream and an edge agent.
 */
@Timeout(600)
class TunnelProcessesIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final String PREFIX = "t" + UUID.randomUUID().toString().substring(0, 8) + ".";
  static final String TOKEN = "dana-token-0123456789abcdef";
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static Path home;
  static Vertx vertx;
  static HttpServer cluster;
  static HttpServer laptop;
  static final AtomicLong uploaded = new AtomicLong();
  static RegistryStreamApp stream;
  static EdgeAgent agent;
  static final List<Process> processes = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    home = Files.createTempDirectory("tunnel-processes");
    Files.writeString(home.resolve("tokens"), TOKEN + " dana *\n");
    vertx = Vertx.vertx();
    cluster = server("cluster");
    laptop =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  long[] n = {0};
                  req.handler(b -> n[0] += b.length());
                  req.endHandler(
                      v -> {
                        uploaded.set(n[0]);
                        req.response().end("laptop:" + req.path() + ":" + n[0]);
                      });
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    String bootstrap = SharedInfrastructure.kafka();
    String registry = SharedInfrastructure.schemaRegistry();
    stream = TestRegistryStream.start(bootstrap, registry, PREFIX, "tunnel-it");
    agent =
        EdgeAgent.start(
            EdgeAgentConfig.of(
                    "orders",
                    "127.0.0.1",
                    0,
                    "127.0.0.1",
                    cluster.actualPort(),
                    bootstrap,
                    SchemaRegistryConfig.of(registry))
                .withTopicPrefix(PREFIX)
                .withTrustedRouters(TestRouterKeys.TRUSTED));
    await().atMost(Duration.ofSeconds(60)).until(() -> agent.routes().caughtUp());
  }

  static HttpServer server(String name) throws Exception {
    return vertx
        .createHttpServer()
        .requestHandler(
            req -> req.body().onSuccess(b -> req.response().end(name + ":" + req.path())))
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get();
  }

  @AfterAll
  static void stop() {
    processes.forEach(Process::destroyForcibly);
    if (agent != null) {
      agent.close();
    }
    if (stream != null) {
      stream.close();
    }
    vertx.close();
  }

  static Process sidetrack(String name, String heap, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ROOT.resolve("bin/sidetrack").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(home.resolve(name + ".out").toFile());
    pb.environment().put("SIDETRACK_HOME", home.toString());
    if (heap != null) {
      pb.environment().put("JAVA_OPTS", "-Xmx" + heap);
    }
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  static Process router(int listen, int relay, String heap) throws Exception {
    Process p =
        sidetrack(
            "router-" + System.nanoTime(),
            heap,
            "router",
            "--listen",
            "127.0.0.1:" + listen,
            "--relay",
            "127.0.0.1:" + relay,
            "--tokens",
            home.resolve("tokens").toString(),
            "--signing-key",
            TestRouterKeys.privateFile(),
            "--bootstrap-servers",
            SharedInfrastructure.kafka(),
            "--schema-registry-url",
            SharedInfrastructure.schemaRegistry(),
            "--topic-prefix",
            PREFIX);
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> routerGet(listen, "/ready").statusCode() == 200);
    return p;
  }

  static HttpResponse<String> routerGet(int port, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + TOKEN)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static Process intercept(String name, int routerPort, String heap, String header)
      throws Exception {
    Process p =
        sidetrack(
            name,
            heap,
            "intercept",
            "orders",
            "--port",
            String.valueOf(laptop.actualPort()),
            "--router",
            "http://127.0.0.1:" + routerPort,
            "--token",
            TOKEN,
            "--header",
            "x-sidetrack-id=" + header,
            "--ttl",
            // the lease must outlive a router restart, which takes seconds on a loaded machine
            "60s");
    Path out = home.resolve(name + ".out");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.readString(out).contains("Relaying") || !p.isAlive());
    assertThat(p.isAlive()).as(Files.readString(out)).isTrue();
    return p;
  }

  static HttpResponse<String> get(String header, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path))
            .header("x-sidetrack-id", header)
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRouterRestartKeepsTheInterceptAndNoRequestFails() throws Exception {
    int listen = Ports.free();
    int relay = Ports.free();
    Process router = router(listen, relay, null);
    Process cli = intercept("dana", listen, null, "dana");
    assertThat(get("dana", "/before").body()).isEqualTo("laptop:/before:0");
    JsonObject before = new JsonArray(routerGet(listen, "/v1/intercepts").body()).getJsonObject(0);

    router.destroyForcibly(); // kill -9
    router.waitFor(10, TimeUnit.SECONDS);
    int failures = 0;
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = get("dana", "/down");
      if (r.statusCode() != 200 || !r.body().equals("cluster:/down")) {
        failures++;
      }
    }
    assertThat(failures).as("requests while the router is down go to the cluster").isZero();

    Process again = router(listen, relay, null);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> get("dana", "/after").body().equals("laptop:/after:0"));
    JsonObject after = new JsonArray(routerGet(listen, "/v1/intercepts").body()).getJsonObject(0);
    assertThat(after.getString("id")).isEqualTo(before.getString("id"));
    assertThat(after.getString("createdAt")).isEqualTo(before.getString("createdAt"));
    assertThat(Files.readString(home.resolve("dana.out")))
        .contains("reconnecting", "Active again: intercept " + before.getString("id"));

    cli.destroy();
    cli.waitFor(20, TimeUnit.SECONDS);
    again.destroy();
    again.waitFor(20, TimeUnit.SECONDS);
  }

  @Test
  @Tag("slow")
  void aGibibyteUploadPassesTheTunnelWithSmallHeaps() throws Exception {
    int listen = Ports.free();
    int relay = Ports.free();
    Process router = router(listen, relay, "128m");
    Process cli = intercept("big", listen, "128m", "big");
    long gib = 1L << 30;
    var client = vertx.createHttpClient();
    String answer =
        client
            .request(
                new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setHost("127.0.0.1")
                    .setPort(agent.port())
                    .setURI("/upload")
                    .putHeader("x-sidetrack-id", "big")
                    .putHeader("content-length", String.valueOf(gib)))
            .compose(
                req -> {
                  Zeros.write(req, gib);
                  return req.response().compose(r -> r.body());
                })
            .map(Buffer::toString)
            .toCompletionStage()
            .toCompletableFuture()
            .get(300, TimeUnit.SECONDS);
    assertThat(answer).isEqualTo("laptop:/upload:" + gib);
    assertThat(router.isAlive()).isTrue();
    assertThat(cli.isAlive()).isTrue();
    cli.destroy();
    router.destroy();
  }
}
