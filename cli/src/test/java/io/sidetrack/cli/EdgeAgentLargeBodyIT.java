package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.embedded.Ports;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.embedded.Zeros;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A 1 GiB upload and a 1 GiB download through an edge agent running as its own process with a 128
 * MB heap: the bodies stream with backpressure instead of being held. Slow: run with {@code ./mvnw
 * verify -Pslow}.
 */
@Tag("slow")
@Timeout(600)
class EdgeAgentLargeBodyIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final long GIB = 1024L * 1024 * 1024;

  @Test
  void oneGibibyteStreamsBothWaysThroughASmallHeap() throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpServer app =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  if (req.path().equals("/upload")) {
                    AtomicLong n = new AtomicLong();
                    req.handler(b -> n.addAndGet(b.length()));
                    req.endHandler(v -> req.response().end("received:" + n.get()));
                    return;
                  }
                  var res = req.response().putHeader("content-length", String.valueOf(GIB));
                  Zeros.write(res, GIB);
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    int port = Ports.free();
    int admin = Ports.free();
    Path home = Files.createTempDirectory("agent-home");
    ProcessBuilder pb =
        new ProcessBuilder(
                ROOT.resolve("bin/sidetrack").toString(),
                "edge-agent",
                "--workload",
                "big",
                "--listen",
                "127.0.0.1:" + port,
                "--app",
                "127.0.0.1:" + app.actualPort(),
                "--admin",
                "127.0.0.1:" + admin,
                "--bootstrap-servers",
                SharedInfrastructure.kafka(),
                "--schema-registry-url",
                SharedInfrastructure.schemaRegistry(),
                "--topic-prefix",
                "big" + System.nanoTime() + ".",
                "--trusted-router-keys",
                TestRouterKeys.publicFile())
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("agent.log").toFile());
    pb.environment().put("JAVA_OPTS", "-Xmx128m");
    pb.environment().put("SIDETRACK_HOME", home.toString());
    Process agent = pb.start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () ->
                  http.send(
                              HttpRequest.newBuilder(
                                      URI.create("http://127.0.0.1:" + admin + "/health"))
                                  .build(),
                              HttpResponse.BodyHandlers.ofString())
                          .statusCode()
                      == 200);

      var client = vertx.createHttpClient();
      long t0 = System.nanoTime();
      String uploaded =
          client
              .request(
                  new RequestOptions()
                      .setMethod(HttpMethod.POST)
                      .setHost("127.0.0.1")
                      .setPort(port)
                      .setURI("/upload")
                      .putHeader("content-length", String.valueOf(GIB)))
              .compose(
                  req -> {
                    Zeros.write(req, GIB);
                    return req.response();
                  })
              .compose(r -> r.body())
              .map(Buffer::toString)
              .toCompletionStage()
              .toCompletableFuture()
              .get(300, TimeUnit.SECONDS);
      assertThat(uploaded).isEqualTo("received:" + GIB);
      long t1 = System.nanoTime();

      AtomicLong downloaded = new AtomicLong();
      client
          .request(HttpMethod.GET, port, "127.0.0.1", "/download")
          .compose(r -> r.send())
          .compose(
              resp -> {
                resp.handler(b -> downloaded.addAndGet(b.length()));
                return resp.end();
              })
          .toCompletionStage()
          .toCompletableFuture()
          .get(300, TimeUnit.SECONDS);
      assertThat(downloaded.get()).isEqualTo(GIB);
      System.out.printf(
          "1 GiB through the agent: up in %.1f s, down in %.1f s%n",
          (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
      assertThat(agent.isAlive()).as("the agent did not run out of its 128 MB heap").isTrue();
    } finally {
      agent.destroy();
      agent.waitFor(30, TimeUnit.SECONDS);
      vertx.close();
    }
  }
}
