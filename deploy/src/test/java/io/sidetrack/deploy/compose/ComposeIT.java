package io.sidetrack.deploy.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compose stack as a user runs it on a host with no registry: {@code podman-compose} with
 * compose/docker-compose.yml and compose/local.yml (every service from the sidetrack image,
 * Prometheus and Grafana left out), a unique project name and free host ports. The checkout's
 * {@code bin/sidetrack intercept} takes the demo workload's requests that carry {@code
 * x-sidetrack-id} to an app on this host through the router's published port, while header-less
 * ones stay on the cluster's copy; then it leaves and the stack is torn down with its volumes.
 *
 * <p>The image is {@code $SIDETRACK_IMAGE:$SIDETRACK_IMAGE_TAG} (default {@code
 * localhost/sidetrack:<this version>}, the one {@code -Pslow} builds), built by
 * deploy/images/build.sh when missing.
 */
@Tag("slow")
class ComposeIT {
  private static final Path ROOT = Dashboard.ROOT;
  private static final String TOKEN = "compose-dev-token-change-me";
  private static final String IDENTITY = "developer";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  @Test
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void interceptsTheSampleWorkloadThroughTheStack() throws Exception {
    String image = image();
    Map<String, String> ports = new LinkedHashMap<>();
    for (String name :
        List.of(
            "KAFKA_PORT",
            "SCHEMA_REGISTRY_PORT",
            "REGISTRY_STREAM_PORT",
            "ROUTER_PORT",
            "AGENT_PORT",
            "AGENT_ADMIN_PORT")) {
      ports.put(name, String.valueOf(freePort()));
    }
    String project = "sidetrack-it-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> env = new LinkedHashMap<>(ports);
    env.put("SIDETRACK_IMAGE", image.substring(0, image.lastIndexOf(':')));
    env.put("SIDETRACK_IMAGE_TAG", image.substring(image.lastIndexOf(':') + 1));
    String router = "http://localhost:" + ports.get("ROUTER_PORT");
    String agent = "http://localhost:" + ports.get("AGENT_PORT");
    String admin = "http://localhost:" + ports.get("AGENT_ADMIN_PORT");
    String registryStream = "http://localhost:" + ports.get("REGISTRY_STREAM_PORT");

    HttpServer laptop = laptopApp();
    Process intercept = null;
    long upStarted = System.nanoTime();
    try {
      compose(project, env, "up", "-d", "--no-build", "router", "edge-agent");
      long upReturned = System.nanoTime();
      await()
          .atMost(Duration.ofMinutes(8))
          .pollInterval(Duration.ofSeconds(2))
          .until(
              () ->
                  status(registryStream + "/ready") == 200
                      && status(router + "/ready") == 200
                      && status(admin + "/ready") == 200);
      long ready = System.nanoTime();
      System.out.printf(
          "ComposeIT: up returned after %.1f s, all /ready after %.1f s%n",
          seconds(upStarted, upReturned), seconds(upStarted, ready));

      // the cluster's copy answers before anyone intercepts
      HttpResponse<String> before = get(agent + "/hello", null);
      assertThat(before.statusCode()).isEqualTo(200);
      assertThat(before.body()).contains("hello from the cluster's copy of demo: GET /hello");
      assertThat(before.headers().firstValue("x-served-by")).hasValue("cluster");

      Path out = dir.resolve("intercept.out");
      intercept =
          new ProcessBuilder(
                  ROOT.resolve("bin/sidetrack").toString(),
                  "intercept",
                  "demo",
                  "--port",
                  String.valueOf(laptop.getAddress().getPort()),
                  "--router",
                  router,
                  "--token",
                  TOKEN)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      Process cli = intercept;
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> Files.readString(out).contains("Relaying") || !cli.isAlive());
      assertThat(cli.isAlive()).as(Files.readString(out)).isTrue();
      assertThat(Files.readString(out)).contains("Active: intercept");
      long active = System.nanoTime();

      HttpResponse<String> mine = get(agent + "/hello", IDENTITY);
      assertThat(mine.statusCode()).isEqualTo(200);
      assertThat(mine.body()).isEqualTo("laptop:/hello");
      HttpResponse<String> others = get(agent + "/hello", null);
      assertThat(others.body()).contains("cluster's copy of demo");
      assertThat(others.headers().firstValue("x-served-by")).hasValue("cluster");
      HttpResponse<String> someoneElse = get(agent + "/hello", "someone-else");
      assertThat(someoneElse.body()).contains("cluster's copy of demo");

      // the dashboard's metrics are served by the running components
      Set<String> served = new TreeSet<>();
      for (String url : List.of(admin, router, registryStream)) {
        String metrics = get(url + "/metrics", null).body();
        served.addAll(Dashboard.exposedNames(metrics));
      }
      assertThat(served).containsAll(Dashboard.read().metricNames());
      assertThat(get(router + "/metrics", null).body())
          .contains("sidetrack_router_relayed_total 1.0");
      assertThat(get(admin + "/metrics", null).body())
          .contains("sidetrack_agent_requests_total{destination=\"intercept\"} 1.0");

      // leaving (SIGTERM, as Ctrl-C) removes the intercept: the header goes to the cluster again
      cli.destroy();
      assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(Files.readString(out)).contains("Left: the intercept is removed.");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> get(agent + "/hello", IDENTITY).body().contains("cluster's copy of demo"));
      System.out.printf(
          "ComposeIT: intercept active %.1f s after ready, test done %.1f s after ready%n",
          seconds(ready, active), seconds(ready, System.nanoTime()));
    } finally {
      if (intercept != null && intercept.isAlive()) {
        intercept.destroyForcibly();
      }
      laptop.stop(0);
      long downStarted = System.nanoTime();
      compose(project, env, "down", "-v");
      System.out.printf(
          "ComposeIT: down -v took %.1f s%n", seconds(downStarted, System.nanoTime()));
    }
    assertThat(podman("ps", "-a", "-q", "--filter", "label=io.podman.compose.project=" + project))
        .isBlank();
    assertThat(podman("volume", "ls", "-q")).doesNotContain(project + "_keys");
  }

  /** The image to run, built by deploy/images/build.sh when it is missing. */
  private String image() throws Exception {
    String name = envOr("SIDETRACK_IMAGE", "localhost/sidetrack");
    String tag = envOr("SIDETRACK_IMAGE_TAG", System.getProperty("sidetrack.version", "latest"));
    String image = name + ":" + tag;
    if (run(List.of("podman", "image", "exists", image), Map.of(), "image-exists") != 0) {
      int built =
          run(
              List.of(ROOT.resolve("deploy/images/build.sh").toString()),
              Map.of("SIDETRACK_IMAGE", name),
              "build");
      assertThat(built).as("deploy/images/build.sh; see " + dir.resolve("build.log")).isZero();
    }
    return image;
  }

  private void compose(String project, Map<String, String> env, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "podman-compose",
                "-p",
                project,
                "-f",
                ROOT.resolve("compose/docker-compose.yml").toString(),
                "-f",
                ROOT.resolve("compose/local.yml").toString()));
    command.addAll(List.of(args));
    int code = run(command, env, "compose-" + args[0]);
    assertThat(code).as("podman-compose %s; see %s", args[0], dir).isZero();
  }

  private int run(List<String> command, Map<String, String> env, String log) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(log + ".log").toFile()));
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(command + " did not finish in 10 minutes");
    }
    return p.exitValue();
  }

  private static String podman(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("podman"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out.trim();
  }

  /** The developer's app on this host: answers {@code laptop:PATH}. */
  private static HttpServer laptopApp() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body =
              ("laptop:" + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    return server;
  }

  private static HttpResponse<String> get(String url, String identity) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (identity != null) {
      b.header("x-sidetrack-id", identity);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int status(String url) {
    try {
      return get(url, null).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String envOr(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  private static double seconds(long from, long to) {
    return (to - from) / 1e9;
  }
}
