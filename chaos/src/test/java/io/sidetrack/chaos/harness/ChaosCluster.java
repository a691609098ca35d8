package io.sidetrack.chaos.harness;

import static org.awaitility.Awaitility.await;

import io.sidetrack.core.WorkloadPartitioning;
import io.sidetrack.embedded.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The cluster the scenarios and the soak run against, every part a real process started through
 * {@code bin/sidetrack}: Kafka ({@link KafkaUnderTest}), the schema registry, two registry-stream
 * instances (one standby replica each), two routers, three edge agents of the workload {@value
 * #WORKLOAD} behind a round-robin {@link TcpRelay} front, and developers ({@link Developer}: a
 * laptop app in this JVM and a {@code sidetrack intercept} process). The workload's own app and the
 * laptop apps are Vert.x servers in this JVM. Ports are free ports; output goes to {@link #dir()};
 * {@link #close()} kills everything.
 */
public final class ChaosCluster implements AutoCloseable {
  public static final String WORKLOAD = "orders";
  public static final int PARTITIONS = 2;
  static final String APPLICATION_ID = "chaos-registry-stream";

  /** A router that heard nothing from an agent for this long no longer waits for it. */
  public static final Duration AGENT_TIMEOUT = Duration.ofSeconds(6);

  /**
   * How long a process may take to become ready: generous, because the machine that runs the slow
   * profile may be running much else (a JVM start measured 60 s under a load average of 50).
   */
  static final Duration STARTUP = Duration.ofMinutes(5);

  private static final Pattern ACTIVE = Pattern.compile("Active(?: again)?: intercept (\\S+),");
  private static final Pattern ACTIVE_MILLIS =
      Pattern.compile("Active: intercept \\S+, routed by .* \\((\\d+) ms\\)");

  private final Path dir;
  private final int defaultBrokers;
  private final Vertx vertx = Vertx.vertx();
  private final List<SidetrackProcess> all = new CopyOnWriteArrayList<>();
  private final Map<String, Developer> developers = new ConcurrentHashMap<>();
  private final Path keys;
  private final Path tokens;
  private KafkaUnderTest kafka;
  private SidetrackProcess schemaRegistry;
  private int registryPort;
  private final List<Service> streams = new ArrayList<>();
  private final List<Service> routers = new ArrayList<>();
  private final List<Service> agents = new ArrayList<>();
  private HttpServer app;
  private TcpRelay front;

  /** A service process with the port its HTTP API (or admin) answers on. */
  public record Service(SidetrackProcess process, int port, int dataPort) {
    public String url(String path) {
      return "http://127.0.0.1:" + port + path;
    }

    public String name() {
      return process.name();
    }
  }

  private ChaosCluster(Path dir, int defaultBrokers) {
    this.dir = dir;
    this.defaultBrokers = defaultBrokers;
    this.keys = dir.resolve("keys");
    this.tokens = dir.resolve("tokens");
  }

  /**
   * Starts the whole cluster and returns once every part is ready, on {@code defaultBrokers} Kafka
   * brokers unless {@code -Dsidetrack.chaos.brokers} says otherwise (see {@link
   * KafkaUnderTest#of}).
   */
  public static ChaosCluster start(String name, int defaultBrokers) {
    Path dir =
        Path.of(
                "target",
                "chaos",
                name
                    + "-"
                    + DateTimeFormatter.ofPattern("HHmmss").format(java.time.LocalTime.now()))
            .toAbsolutePath();
    ChaosCluster cluster = new ChaosCluster(dir, defaultBrokers);
    try {
      cluster.startAll();
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private void startAll() {
    try {
      Files.createDirectories(dir);
      StringBuilder lines = new StringBuilder();
      for (String dev : List.of("dev-a", "dev-b", "dev-c", "dev-d", "dev-e", "dev-f", "dev-g")) {
        lines.append(token(dev)).append(' ').append(dev).append(" *\n");
      }
      for (int i = 0; i < 40; i++) {
        lines.append(token("soak-" + i)).append(" soak-").append(i).append(" *\n");
      }
      Files.writeString(tokens, lines.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    SidetrackProcess keygen =
        track(
            new SidetrackProcess(
                "keys", dir, env("keys", null), "keys", "generate", "--out", keys.toString()));
    keygen.start();
    await().atMost(Duration.ofSeconds(60)).until(() -> !keygen.alive());

    app = httpServer("cluster");
    kafka = KafkaUnderTest.of(defaultBrokers, vertx, dir, env("kafka", null));
    registryPort = Ports.free();
    schemaRegistry =
        track(
            new SidetrackProcess(
                "schema-registry",
                dir,
                env("schema-registry", "-Xmx64m"),
                "schema-registry",
                "--listen",
                "127.0.0.1:" + registryPort));
    schemaRegistry.start();
    kafka.startAll();
    await()
        .atMost(STARTUP)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> Http.get(registryUrl() + "/subjects").status() == 200);

    for (int i = 1; i <= 2; i++) {
      streams.add(registryStream(i));
    }
    streams.forEach(s -> s.process().start());
    streams.forEach(s -> awaitReady(s, "/ready"));
    for (int i = 1; i <= 2; i++) {
      routers.add(router(i));
    }
    for (int i = 1; i <= 3; i++) {
      agents.add(agent(i));
    }
    routers.forEach(s -> s.process().start());
    agents.forEach(s -> s.process().start());
    Stream.concat(routers.stream(), agents.stream()).forEach(s -> awaitReady(s, "/ready"));
    front =
        TcpRelay.start(
            vertx,
            0,
            agents.stream()
                .map(a -> SocketAddress.inetSocketAddress(a.dataPort(), "127.0.0.1"))
                .toList());
    await().atMost(Duration.ofSeconds(60)).until(() -> liveAgents(routers.get(0)) == 3);
  }

  static String token(String identity) {
    return "token-" + identity + "-0123456789abcdef";
  }

  /**
   * The JVM options of the routers and registry-streams: a bounded heap, its pages touched at
   * start. Their collector commits the whole heap early but touches its pages only as it cycles
   * through them, so without pre-touching, the resident memory climbed by up to the heap's size
   * during the soak with no leak (a router: 190 to 318 MB with 256 MB committed throughout).
   * Touched at start, what is resident beside the committed heap is the JVM's own memory, which the
   * soak judges.
   */
  static final String SERVICE_JAVA_OPTS = "-Xmx256m -XX:+AlwaysPreTouch";

  private Map<String, String> env(String name, String javaOpts) {
    Map<String, String> env = new TreeMap<>();
    env.put("SIDETRACK_HOME", dir.resolve("home-" + name).toString());
    if (javaOpts != null) {
      env.put("JAVA_OPTS", javaOpts);
    }
    return env;
  }

  private SidetrackProcess track(SidetrackProcess p) {
    all.add(p);
    return p;
  }

  private Service registryStream(int i) {
    int port = Ports.free();
    SidetrackProcess p =
        new SidetrackProcess(
            "registry-stream-" + i,
            dir,
            env("registry-stream-" + i, SERVICE_JAVA_OPTS),
            "registry-stream",
            "--bootstrap-servers",
            kafka.bootstrap(),
            "--schema-registry-url",
            registryUrl(),
            "--application-id",
            APPLICATION_ID,
            "--state-dir",
            dir.resolve("registry-stream-" + i + "-state").toString(),
            "--listen",
            "127.0.0.1:" + port,
            "--standby-replicas",
            "1",
            "--partitions",
            String.valueOf(PARTITIONS),
            "--trusted-router-keys",
            keys.resolve("router-signing.pub.pem").toString());
    return new Service(track(p), port, port);
  }

  private Service router(int i) {
    int port = Ports.free();
    int relay = Ports.free();
    SidetrackProcess p =
        new SidetrackProcess(
            "router-" + i,
            dir,
            env("router-" + i, SERVICE_JAVA_OPTS),
            "router",
            "--listen",
            "127.0.0.1:" + port,
            "--relay",
            "127.0.0.1:" + relay,
            "--tokens",
            tokens.toString(),
            "--signing-key",
            keys.resolve("router-signing.pem").toString(),
            "--bootstrap-servers",
            kafka.bootstrap(),
            "--schema-registry-url",
            registryUrl(),
            "--agent-timeout",
            AGENT_TIMEOUT.toSeconds() + "s");
    return new Service(track(p), port, relay);
  }

  private Service agent(int i) {
    int listen = Ports.free();
    int admin = Ports.free();
    // the third agent reaches Kafka only through the relays the test can cut
    String bootstrap = i == 3 ? kafka.partitionableBootstrap() : kafka.bootstrap();
    SidetrackProcess p =
        new SidetrackProcess(
            "agent-" + i,
            dir,
            env("agent-" + i, null),
            "edge-agent",
            "--workload",
            WORKLOAD,
            "--agent-id",
            WORKLOAD + "-" + i,
            "--listen",
            "127.0.0.1:" + listen,
            "--admin",
            "127.0.0.1:" + admin,
            "--app",
            "127.0.0.1:" + app.actualPort(),
            "--bootstrap-servers",
            bootstrap,
            "--schema-registry-url",
            registryUrl(),
            "--trusted-router-keys",
            keys.resolve("router-signing.pub.pem").toString(),
            "--heartbeat-interval",
            "1s");
    return new Service(track(p), admin, listen);
  }

  private static void awaitReady(Service s, String path) {
    await()
        .atMost(STARTUP)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              if (!s.process().alive()) {
                throw new AssertionError(s.name() + " exited: see " + s.process().log());
              }
              return Http.get(s.url(path)).status() == 200;
            });
  }

  /** Waits until the service answers 200 on {@code /ready} (after a restart). */
  public void awaitReady(Service s) {
    awaitReady(s, "/ready");
  }

  public String registryUrl() {
    return "http://127.0.0.1:" + registryPort + "/apis/ccompat/v7";
  }

  private HttpServer httpServer(String answer) {
    return TcpRelay.await(
        vertx
            .createHttpServer()
            .requestHandler(req -> req.body().onSuccess(b -> req.response().end(answer)))
            .listen(0, "127.0.0.1"));
  }

  // ---- developers

  /**
   * Starts a developer: a laptop app answering {@code laptop:<identity>} and {@code sidetrack
   * intercept} with the default personal intercept, connecting to the given routers in turn
   * (through {@code laptopLink} when given: the laptop's network, which the test can cut).
   */
  public Developer intercept(
      String identity, Duration ttl, List<Service> via, TcpRelay laptopLink) {
    HttpServer laptop = httpServer("laptop:" + identity);
    List<String> urls = new ArrayList<>();
    if (laptopLink != null) {
      urls.add("http://" + laptopLink.address());
    } else {
      via.forEach(r -> urls.add("http://127.0.0.1:" + r.port()));
    }
    SidetrackProcess cli =
        track(
            new SidetrackProcess(
                "cli-" + identity + "-" + System.nanoTime() % 100_000,
                dir,
                env("cli-" + identity, "-Xmx96m"),
                "intercept",
                WORKLOAD,
                "--port",
                String.valueOf(laptop.actualPort()),
                "--router",
                String.join(",", urls),
                "--token",
                token(identity),
                "--ttl",
                ttl.toSeconds() + "s"));
    Developer dev = new Developer(identity, laptop, cli, Instant.now());
    developers.put(identity, dev);
    cli.start();
    return dev;
  }

  public Developer intercept(String identity, Duration ttl, Service router) {
    List<Service> order = new ArrayList<>(routers);
    order.remove(router);
    order.add(0, router);
    return intercept(identity, ttl, order, null);
  }

  /** A developer at work: the laptop app and the CLI. */
  public final class Developer {
    public final String identity;
    final HttpServer laptop;
    public final SidetrackProcess cli;
    final Instant started;

    Developer(String identity, HttpServer laptop, SidetrackProcess cli, Instant started) {
      this.identity = identity;
      this.laptop = laptop;
      this.cli = cli;
      this.started = started;
    }

    /**
     * The CLI's own figure on its first "Active" line: milliseconds from its connection to the
     * router until the intercept was active (its JVM's start not included).
     */
    public long cliActivationMillis() {
      Matcher m = ACTIVE_MILLIS.matcher(cli.output());
      if (!m.find()) {
        throw new IllegalStateException(identity + " is not active yet");
      }
      return Long.parseLong(m.group(1));
    }

    /** Waits for the CLI's "Active" line; returns the time from the CLI's start. */
    public Duration awaitActive(Duration atMost) {
      await()
          .atMost(atMost)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                if (!cli.alive()) {
                  throw new AssertionError(identity + "'s CLI ended: " + cli.output());
                }
                return ACTIVE.matcher(cli.output()).find();
              });
      return Duration.between(started, Instant.now());
    }

    /** The intercept id the CLI printed when it became active. */
    public String interceptId() {
      Matcher m = ACTIVE.matcher(cli.output());
      if (!m.find()) {
        throw new IllegalStateException(identity + " is not active yet");
      }
      return m.group(1);
    }

    /** Ctrl-C: the CLI leaves (tombstones the intercept) and ends; the laptop app stops. */
    public void leave() {
      cli.stop(Duration.ofSeconds(20));
      developers.remove(identity);
      TcpRelay.await(laptop.close());
    }

    /** The laptop dies: the CLI is killed without leaving, the app stops. */
    public void crash() {
      cli.kill();
      developers.remove(identity);
      TcpRelay.await(laptop.close());
    }
  }

  /**
   * Makes the cluster whole again after a scenario, whatever it left: the partition healed, Kafka
   * and every service running and ready, and every developer but {@code keep} gone (crashed: their
   * leases run out).
   */
  public void restore(java.util.Set<String> keep) {
    kafka.heal();
    kafka.startAll();
    for (Service s : Stream.of(streams, routers, agents).flatMap(List::stream).toList()) {
      if (!s.process().alive()) {
        s.process().start();
      }
    }
    for (Service s : Stream.of(streams, routers, agents).flatMap(List::stream).toList()) {
      awaitReady(s);
    }
    for (Developer d : List.copyOf(developers.values())) {
      if (!keep.contains(d.identity)) {
        d.crash();
      }
    }
  }

  // ---- views

  public Path dir() {
    return dir;
  }

  public Vertx vertx() {
    return vertx;
  }

  public KafkaUnderTest kafka() {
    return kafka;
  }

  public List<Service> streams() {
    return streams;
  }

  public List<Service> routers() {
    return routers;
  }

  public List<Service> agents() {
    return agents;
  }

  public int frontPort() {
    return front.port();
  }

  /**
   * Every process started so far through {@code bin/sidetrack} (developers' CLIs included; Kafka's
   * are {@link KafkaUnderTest#processes()}), for memory samples.
   */
  public List<SidetrackProcess> processes() {
    return List.copyOf(all);
  }

  /** A load generator at the front, the values of {@code intercepted} carried by half of it. */
  public LoadGenerator load(int rate, Supplier<List<String>> intercepted) {
    return new LoadGenerator(vertx, "127.0.0.1", front.port(), rate, intercepted);
  }

  /** How many agents of the workload the router counts live. */
  public static int liveAgents(Service router) {
    Http.Response r =
        Http.get(router.url("/v1/agents"), "Authorization", "Bearer " + token("dev-a"));
    if (r.status() != 200) {
      return -1;
    }
    return new io.vertx.core.json.JsonArray(r.body()).size();
  }

  /** The router's active intercepts (JSON array). */
  public static io.vertx.core.json.JsonArray intercepts(Service router) {
    Http.Response r =
        Http.get(router.url("/v1/intercepts"), "Authorization", "Bearer " + token("dev-a"));
    if (r.status() != 200) {
      throw new IllegalStateException(router.name() + " answered " + r.status() + ": " + r.body());
    }
    return new io.vertx.core.json.JsonArray(r.body());
  }

  /** The partition of the workload in the topics partitioned by workload. */
  public static int workloadPartition() {
    return WorkloadPartitioning.partitionOf(WORKLOAD, PARTITIONS);
  }

  /**
   * The registry-stream instance whose active task holds the workload's partition of the
   * by-workload topic (where it is decided): the consumer group's member assigned that partition,
   * named by the process id Kafka Streams keeps in the instance's state directory.
   */
  public Service activeStreamForWorkload() {
    java.util.Properties props = new java.util.Properties();
    props.put("bootstrap.servers", kafka.bootstrap());
    String partition = io.sidetrack.core.Topics.INTERCEPTS_BY_WORKLOAD + "-" + workloadPartition();
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(props)) {
      var group =
          admin
              .describeConsumerGroups(List.of(APPLICATION_ID))
              .all()
              .get(20, java.util.concurrent.TimeUnit.SECONDS)
              .get(APPLICATION_ID);
      for (var member : group.members()) {
        boolean owns =
            member.assignment().topicPartitions().stream()
                .anyMatch(tp -> (tp.topic() + "-" + tp.partition()).equals(partition));
        if (!owns) {
          continue;
        }
        for (Service s : streams) {
          if (member.clientId().contains(processId(s))) {
            return s;
          }
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot describe the group " + APPLICATION_ID, e);
    }
    throw new IllegalStateException("no member holds " + partition);
  }

  private String processId(Service s) {
    Path file =
        dir.resolve(s.name() + "-state")
            .resolve(APPLICATION_ID)
            .resolve("kafka-streams-process-metadata");
    try {
      return new io.vertx.core.json.JsonObject(Files.readString(file)).getString("processId");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A request straight to one agent with the header {@code x-sidetrack-id: value}: its body. */
  public String askAgent(Service agent, String value) {
    Http.Response r =
        Http.get("http://127.0.0.1:" + agent.dataPort() + "/probe", LoadGenerator.HEADER, value);
    return r.status() == 200 ? r.body() : r.status() + " " + r.body();
  }

  /** Runs `sidetrack audit` for the workload; its JSON lines. */
  public List<io.vertx.core.json.JsonObject> audit(Duration since) {
    SidetrackProcess p =
        track(
            new SidetrackProcess(
                "audit-" + System.nanoTime() % 100_000,
                dir,
                env("audit", null),
                "audit",
                "--bootstrap-servers",
                kafka.bootstrap(),
                "--schema-registry-url",
                registryUrl(),
                "--workload",
                WORKLOAD,
                "--since",
                since.toMinutes() + "m",
                "-o",
                "json"));
    p.start();
    await().atMost(Duration.ofSeconds(120)).until(() -> !p.alive());
    List<io.vertx.core.json.JsonObject> events = new ArrayList<>();
    for (String line : p.output().split("\n")) {
      if (line.startsWith("{")) {
        events.add(new io.vertx.core.json.JsonObject(line));
      }
    }
    return events;
  }

  /** Runs the actions in parallel and waits for all (starting several JVMs at once). */
  public static void parallel(Runnable... actions) {
    CompletableFuture.allOf(
            Stream.of(actions).map(CompletableFuture::runAsync).toArray(CompletableFuture[]::new))
        .join();
  }

  @Override
  public void close() {
    developers.values().forEach(d -> d.cli.kill());
    for (SidetrackProcess p : all) {
      if (p.alive() && !p.name().startsWith("kafka")) {
        p.kill();
      }
    }
    if (kafka != null) {
      kafka.close();
    }
    if (front != null) {
      front.close();
    }
    vertx.close();
  }
}
