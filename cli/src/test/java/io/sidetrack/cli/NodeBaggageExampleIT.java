package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.sidetrack.edge.EdgeAgent;
import io.sidetrack.edge.EdgeAgentConfig;
import io.sidetrack.embedded.Ports;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The propagation guide's Node.js example (docs/examples/node-baggage: plain {@code http}, no
 * Sidetrack code, OpenTelemetry auto-instrumentation) behind a real edge agent: a request that
 * carries only {@code x-sidetrack-id} reaches the service with the {@code sidetrack-id} baggage
 * member the agent bridged, and the service's own outgoing call carries it on. Skipped where
 * Node.js or the example's dependencies are missing (.ci/run installs them).
 */
@Timeout(180)
class NodeBaggageExampleIT {
  private static final Path EXAMPLE =
      Path.of("..", "docs", "examples", "node-baggage").toAbsolutePath().normalize();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void nodeServiceCarriesTheBridgedIdToItsOwnCalls() throws Exception {
    assumeThat(EXAMPLE.resolve("node_modules/@opentelemetry/auto-instrumentations-node"))
        .as("npm install was run")
        .exists();
    assumeThat(new ProcessBuilder("node", "--version").start().waitFor()).isZero();

    List<String> seen = new CopyOnWriteArrayList<>();
    HttpServer downstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    downstream.createContext(
        "/",
        exchange -> {
          String baggage = exchange.getRequestHeaders().getFirst("baggage");
          seen.add(String.valueOf(baggage));
          byte[] body = "downstream".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    downstream.start();
    int nodePort = Ports.free();
    Path log = Files.createTempFile("node-baggage", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
                "node",
                "--require",
                "@opentelemetry/auto-instrumentations-node/register",
                "server.js",
                "--port",
                String.valueOf(nodePort),
                "--downstream",
                "http://127.0.0.1:" + downstream.getAddress().getPort())
            .directory(EXAMPLE.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("OTEL_PROPAGATORS", "tracecontext,baggage");
    pb.environment().put("OTEL_TRACES_EXPORTER", "none");
    pb.environment().put("OTEL_METRICS_EXPORTER", "none");
    pb.environment().put("OTEL_LOGS_EXPORTER", "none");
    pb.environment().put("OTEL_NODE_RESOURCE_DETECTORS", "env,host,os");
    Process node = pb.start();
    try (EdgeAgent agent =
        EdgeAgent.start(
            EdgeAgentConfig.of(
                    "node-example",
                    "127.0.0.1",
                    0,
                    "127.0.0.1",
                    nodePort,
                    SharedInfrastructure.kafka(),
                    SchemaRegistryConfig.of(SharedInfrastructure.schemaRegistry()))
                .withTrustedRouters(TestRouterKeys.TRUSTED))) {
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> get("http://127.0.0.1:" + nodePort + "/healthz", null).statusCode() == 200);

      HttpResponse<String> r = get("http://127.0.0.1:" + agent.port() + "/orders", "alice");
      assertThat(r.body())
          .as(Files.readString(log))
          .isEqualTo("node service called downstream, which answered 200: downstream");
      assertThat(seen).as("baggage the downstream call carried").hasSize(1);
      assertThat(seen.get(0)).contains("sidetrack-id=alice");

      get("http://127.0.0.1:" + agent.port() + "/plain", null);
      assertThat(seen).hasSize(2);
      assertThat(seen.get(1)).doesNotContain("sidetrack-id");

      // the example stops on SIGTERM, as a pod's container must (OpenTelemetry's hook takes the
      // signal; without the example's own handler it ran on until killed)
      node.destroy();
      assertThat(node.waitFor(10, java.util.concurrent.TimeUnit.SECONDS))
          .as("node stopped on SIGTERM")
          .isTrue();
    } finally {
      if (node.isAlive()) {
        node.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      }
      downstream.stop(0);
    }
  }

  private static HttpResponse<String> get(String url, String id) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (id != null) {
      b.header("x-sidetrack-id", id);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
