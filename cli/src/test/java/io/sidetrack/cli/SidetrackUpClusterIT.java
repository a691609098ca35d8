package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.sidetrack.cli.context.Context;
import io.sidetrack.cli.context.ContextFile;
import io.sidetrack.core.Topics;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code sidetrack up --brokers 3} on real processes: a developer's intercept works through the
 * three-node cluster; under a steady load through the demo's edge agent, the node leading the
 * metadata quorum is killed with {@code SIGKILL}: no request fails, the intercepted ones keep
 * reaching the developer's app, a new intercept activates, and after {@code up} starts the node
 * again another one does. Prints the figures.
 */
@Tag("slow")
@Timeout(1500)
class SidetrackUpClusterIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String ALICE = "alice-cluster-token-0123456789";
  private static final String BOB = "bob-cluster-token-0123456789ab";
  private static final String CAROL = "carol-cluster-token-0123456789";
  private static final int RATE_PER_SECOND = 25;
  private static final Pattern ACTIVE =
      Pattern.compile("Active: intercept \\S+, .*\\((\\d+) ms\\)");
  private static final Pattern NODE =
      Pattern.compile("Kafka node (\\d) +(127\\.0\\.0\\.1:\\d+), pid (\\d+)");

  private Path home;
  private Process up;
  private final List<Process> started = new ArrayList<>();
  private final List<HttpServer> apps = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    started.forEach(Process::destroyForcibly);
    apps.forEach(a -> a.stop(0));
    if (up != null && up.isAlive()) {
      up.destroy();
      up.waitFor(90, TimeUnit.SECONDS);
    }
  }

  @Test
  void interceptsKeepWorkingAndActivatingWhenABrokerIsKilledAndComesBack() throws Exception {
    home = Files.createTempDirectory("sidetrack-cluster");
    Files.writeString(
        home.resolve("tokens"),
        ALICE + " alice demo\n" + BOB + " bob demo\n" + CAROL + " carol demo\n");
    Path upOut = home.resolve("up.out");
    up =
        sidetrack(
                upOut,
                "up",
                "--brokers",
                "3",
                "--broker-restart-delay",
                "20s",
                "--registry-port",
                "0",
                "--api-port",
                "0",
                "--router-port",
                "0",
                "--preview-port",
                "0",
                "--demo-port",
                "0",
                "--frontend-port",
                "0",
                "--partitions",
                "3")
            .start();
    await()
        .atMost(Duration.ofSeconds(600))
        .until(() -> Files.exists(ContextFile.path(home)) || !up.isAlive());
    assertThat(up.isAlive()).as(Files.readString(upOut)).isTrue();
    Context context = ContextFile.read(home).orElseThrow();
    String summary = Files.readString(upOut);
    assertThat(context.bootstrapServers().split(",")).hasSize(3);
    Map<Integer, Long> pids = new java.util.TreeMap<>();
    Matcher m = NODE.matcher(summary);
    while (m.find()) {
      pids.put(Integer.parseInt(m.group(1)), Long.parseLong(m.group(3)));
    }
    assertThat(pids).as(summary).hasSize(3);
    assertThat(summary).contains("Try failover", "kill -9 ");

    try (Admin admin = Admin.create(Map.of("bootstrap.servers", context.bootstrapServers()))) {
      // Sidetrack's topics and registry-stream's internal ones: RF 3, min ISR 2
      List<String> topics =
          admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
              .filter(t -> t.startsWith("sidetrack"))
              .toList();
      assertThat(topics).contains(Topics.INTERCEPTS, Topics.ROUTES, Topics.AGENTS, Topics.AUDIT);
      assertThat(topics).anyMatch(t -> t.endsWith("-changelog"));
      var descriptions = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
      descriptions.forEach(
          (name, d) -> assertThat(d.partitions()).as(name).allMatch(p -> p.replicas().size() == 3));
      Map<ConfigResource, Config> configs =
          admin
              .describeConfigs(
                  topics.stream()
                      .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                      .toList())
              .all()
              .get(30, TimeUnit.SECONDS);
      configs.forEach(
          (r, c) -> assertThat(c.get("min.insync.replicas").value()).as(r.name()).isEqualTo("2"));

      int alicePort = app("alice");
      intercept("alice", ALICE, alicePort, "x-sidetrack-id=alice");
      long aliceMillis = reportedMillis("alice");
      assertThat(get("alice", context.demoUrl()).body()).isEqualTo("alice:/load");

      Load load = new Load(context.demoUrl());
      load.start();
      Thread.sleep(5_000);

      // kill -9 the node leading the metadata quorum: controller and partition leaders move
      int victim = admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).leaderId();
      long pid = pids.get(victim);
      load.phase("down");
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();
      long killedAt = System.nanoTime();
      int bobPort = app("bob");
      long bobActive = intercept("bob", BOB, bobPort, "x-sidetrack-id=bob");
      double afterKill = (bobActive - killedAt) / 1e9;
      assertThat(get("bob", context.demoUrl()).body()).isEqualTo("bob:/load");

      // up starts the node again (after 20 s); a third intercept activates once it is back
      await()
          .atMost(Duration.ofSeconds(600))
          .until(() -> Files.readString(upOut).contains("Kafka node " + victim + " is back"));
      long backAt = System.nanoTime();
      load.phase("back");
      int carolPort = app("carol");
      long carolActive = intercept("carol", CAROL, carolPort, "x-sidetrack-id=carol");
      double afterRestart = (carolActive - backAt) / 1e9;
      Thread.sleep(5_000);
      load.stop();

      System.out.printf(
          "broker-kill: node %d (quorum leader, pid %d) killed under %d requests/s through the"
              + " demo's edge agent, half of them intercepted%n",
          victim, pid, RATE_PER_SECOND);
      System.out.printf(
          "  intercept active (as the CLI reports it, from its connect): %d ms before the kill,"
              + " %d ms with the node down, %d ms after it is back%n",
          aliceMillis, reportedMillis("bob"), reportedMillis("carol"));
      System.out.printf(
          "  wall time to a new active intercept, CLI start included: %.1f s after the kill,"
              + " %.1f s after the node was back%n",
          afterKill, afterRestart);
      load.phases.forEach(
          (phase, counts) ->
              System.out.printf(
                  "  %-6s %6d requests, %d failed, %d intercepted ones misrouted%n",
                  phase, counts[0].get(), counts[1].get(), counts[2].get()));
      load.errors.forEach((k, v) -> System.out.println("  " + v + " x " + k));
      assertThat(load.failed.get()).as(load.errors.toString()).isZero();
      assertThat(load.misrouted.get()).as(load.errors.toString()).isZero();
      assertThat(load.sent.get()).isGreaterThan(RATE_PER_SECOND * 20);
    }
  }

  private ProcessBuilder sidetrack(Path output, String... args) {
    return Launcher.sidetrack(home, output, args);
  }

  /** A developer's app on this machine: answers with its name and the path. */
  private int app(String name) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext(
        "/",
        exchange -> {
          byte[] body =
              (name + ":" + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    apps.add(server);
    return server.getAddress().getPort();
  }

  /** Starts {@code sidetrack intercept demo}; returns when it says active (System.nanoTime()). */
  private long intercept(String name, String token, int port, String header) throws Exception {
    Path out = home.resolve(name + ".out");
    Process p =
        sidetrack(
                out,
                "intercept",
                "demo",
                "--port",
                String.valueOf(port),
                "--token",
                token,
                "--header",
                header)
            .start();
    started.add(p);
    await()
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> Files.readString(out).contains("Active: intercept") || !p.isAlive());
    long active = System.nanoTime();
    assertThat(p.isAlive()).as(Files.readString(out)).isTrue();
    return active;
  }

  /** The activation time {@code sidetrack intercept} printed for {@code name}'s intercept. */
  private long reportedMillis(String name) throws Exception {
    Matcher m = ACTIVE.matcher(Files.readString(home.resolve(name + ".out")));
    assertThat(m.find()).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static HttpResponse<String> get(String id, String base) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + "/load")).timeout(Duration.ofSeconds(10));
    if (id != null) {
      b.header("x-sidetrack-id", id);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A fixed rate of requests through the demo's edge agent, half of them alice's: every one must
   * answer 200 from the right place.
   */
  private static final class Load {
    final String base;
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    /** HTTP/1.1, a connection per request in flight, as most callers of a service. */
    final HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** Per phase of the scenario: requests sent, failed, misrouted. */
    final Map<String, AtomicInteger[]> phases = new java.util.LinkedHashMap<>();

    volatile AtomicInteger[] current;
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger misrouted = new AtomicInteger();
    final Map<String, Integer> errors = new ConcurrentHashMap<>();

    Load(String base) {
      this.base = base;
      phase("before");
    }

    synchronized void phase(String name) {
      current = new AtomicInteger[] {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
      phases.put(name, current);
    }

    void start() {
      timer.scheduleAtFixedRate(
          this::fire, 0, TimeUnit.SECONDS.toMicros(1) / RATE_PER_SECOND, TimeUnit.MICROSECONDS);
    }

    private void fire() {
      boolean alice = sent.getAndIncrement() % 2 == 0;
      AtomicInteger[] counts = current;
      counts[0].incrementAndGet();
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(base + "/load")).timeout(Duration.ofSeconds(10));
      if (alice) {
        b.header("x-sidetrack-id", "alice");
      }
      http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
          .whenComplete(
              (r, e) -> {
                if (e != null) {
                  failed.incrementAndGet();
                  counts[1].incrementAndGet();
                  errors.merge(e.toString(), 1, Integer::sum);
                } else if (r.statusCode() != 200) {
                  failed.incrementAndGet();
                  counts[1].incrementAndGet();
                  errors.merge("status " + r.statusCode(), 1, Integer::sum);
                } else if (alice != r.body().equals("alice:/load")) {
                  misrouted.incrementAndGet();
                  counts[2].incrementAndGet();
                  errors.merge((alice ? "alice's got " : "other got ") + r.body(), 1, Integer::sum);
                }
              });
    }

    void stop() throws InterruptedException {
      timer.shutdown();
      timer.awaitTermination(10, TimeUnit.SECONDS);
      Thread.sleep(11_000); // the last requests' timeout
    }
  }
}
