package io.sidetrack.loadtest.dataplane;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.Topics;
import io.sidetrack.core.WorkloadPartitioning;
import io.sidetrack.embedded.EmbeddedKafka;
import io.sidetrack.embedded.EmbeddedSchemaRegistry;
import io.sidetrack.embedded.Ports;
import io.sidetrack.loadtest.BenchStack;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.HttpSchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import io.sidetrack.stream.RegistryStreamApp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The data plane side by side with its anchors, in one run on one machine: wrk against the app
 * directly, nginx and HAProxy routing on the header, and the edge agent (a separate JVM started by
 * {@code bin/sidetrack edge-agent} with its shipped JVM options, {@code
 * bin/edge-agent.jvm-options}), with 1 and with 100,000 routes, for matched and unmatched requests.
 * Also: a new agent's time to ready, its heap, and the time from a registration being published to
 * the agent routing by it.
 */
public final class DataPlaneBenchmark {
  /** The router key the benchmark's route entries are signed with; the agent trusts it. */
  static final java.security.KeyPair ROUTER_KEYS = io.sidetrack.core.trust.Keys.generate();

  private static final io.sidetrack.core.trust.RouteSigner SIGNER =
      new io.sidetrack.core.trust.RouteSigner(ROUTER_KEYS);

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int THREADS = 2;
  private static final int CONNECTIONS = 64;

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int manyRoutes = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    Path root = Path.of(System.getProperty("sidetrack.root", ".")).toAbsolutePath().normalize();
    Path dir = Files.createTempDirectory("sidetrack-dataplane");
    int appPort = Ports.free();
    int tunnelPort = Ports.free();
    List<Process> processes = new ArrayList<>();
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> processes.forEach(Process::destroyForcibly)));
    processes.add(Anchors.backend(dir, appPort, tunnelPort));
    try (BenchStack stack = BenchStack.start(dir, 12);
        var producer =
            new KafkaProducer<>(
                Map.<String, Object>of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    stack.kafka().bootstrapServers(),
                    ProducerConfig.LINGER_MS_CONFIG,
                    5),
                new StringSerializer(),
                new ByteArraySerializer())) {
      EmbeddedKafka kafka = stack.kafka();
      EmbeddedSchemaRegistry registry = stack.registry();
      RegistryStreamApp stream = stack.stream();
      var serde =
          AvroSerde.forValues(
              new HttpSchemaRegistryClient(SchemaRegistryConfig.of(registry.url())),
              InterceptRegistration.class);
      if (SidecarRss.enabled()) {
        SidecarRss.run(
            root,
            dir,
            kafka.bootstrapServers(),
            registry.url(),
            appPort,
            tunnelPort,
            producer,
            serde,
            stream,
            processes,
            args.length > 0 ? seconds : 30,
            args.length > 1 ? manyRoutes : 1_000);
        return;
      }
      String tunnel = "127.0.0.1:" + tunnelPort;
      System.out.printf(
          "wrk -t%d -c%d -d%ds --latency; tiny responses; all on this machine%n",
          THREADS, CONNECTIONS, seconds);
      int registered = 0;
      int[] phases = manyRoutes <= 1 ? new int[] {1} : new int[] {1, manyRoutes};
      for (int routes : phases) {
        for (; registered < routes; registered++) {
          register(producer, serde, registered, tunnel);
        }
        producer.flush();
        awaitDecided(stream, routes == 1 ? 1 : routes + 50);
        System.out.printf("%n== %,d routes on workload 'bench' ==%n", routes);
        if (routes > 1) {
          // earlier starts, each stopped once ready: start-up varies more than one sample shows
          for (int s = 1; s < STARTS; s++) {
            Agent early = Agent.start(root, dir, kafka.bootstrapServers(), registry.url(), appPort);
            processes.add(early.process);
            System.out.printf(
                "agent start %d: ready with %,d routes %d ms after its start (%s)%n",
                s, routes, early.awaitRoutes(routes, Duration.ofMinutes(5)), early.loadedLine());
            early.stop();
          }
        }
        Agent agent = Agent.start(root, dir, kafka.bootstrapServers(), registry.url(), appPort);
        processes.add(agent.process);
        long readyMs = agent.awaitRoutes(routes, Duration.ofMinutes(5));
        System.out.printf(
            "agent ready with %,d routes %d ms after its start (%s); heap after GC %d MB%n",
            routes, readyMs, agent.loadedLine(), agent.heapAfterGcMb());
        if (routes == 1) {
          routeEntryLatency(producer, registry.url(), agent, tunnel);
          routeChangeLatency(producer, serde, agent, tunnel);
        }
        int nginxPort = Ports.free();
        int haproxyPort = Ports.free();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < routes; i++) {
          values.add("dev-" + i);
        }
        Process nginx = Anchors.nginxProxy(dir, nginxPort, appPort, tunnelPort, values);
        Process haproxy = Anchors.haproxy(dir, haproxyPort, appPort, tunnelPort, values);
        processes.add(nginx);
        processes.add(haproxy);
        Thread.sleep(2000);
        String matched = "x-sidetrack-id: dev-0";
        warm("http://127.0.0.1:" + agent.port + "/", matched);
        table(
            seconds,
            new Target("direct to app", appPort, null, null),
            new Target("nginx, unmatched", nginxPort, null, nginx),
            new Target("nginx, matched", nginxPort, matched, nginx),
            new Target("HAProxy, unmatched", haproxyPort, null, haproxy),
            new Target("HAProxy, matched", haproxyPort, matched, haproxy),
            new Target("edge agent, unmatched", agent.port, null, agent.process),
            new Target("edge agent, matched", agent.port, matched, agent.process));
        System.out.printf("agent heap after the load, after GC: %d MB%n", agent.heapAfterGcMb());
        nginx.destroy();
        haproxy.destroy();
        agent.stop();
      }
    } finally {
      processes.forEach(Process::destroy);
    }
  }

  /** Waits until registry-stream created at least {@code n} intercepts. */
  static void awaitDecided(RegistryStreamApp stream, int n) throws InterruptedException {
    var created =
        stream.meters().find("sidetrack.registry.decisions").tag("outcome", "created").counter();
    while (created.count() < n) {
      Thread.sleep(100);
    }
  }

  /** One row of a table: where wrk sends, with which header, and the proxy process measured. */
  private record Target(String name, int port, String header, Process proxy) {}

  /** Agents started with many routes on the topic, to time their start (the last one serves). */
  private static final int STARTS =
      Integer.parseInt(System.getenv().getOrDefault("SIDETRACK_BENCH_STARTS", "3"));

  /**
   * Runs wrk against each target, {@link #ROUNDS} times over in turn (drift on a shared machine
   * then touches every target alike), printing each run, then the mean of the rounds per target.
   * "Background CPU" is what this JVM (the broker, registry-stream) used meanwhile, in percent of
   * one core: work there takes cores from the proxy under test.
   */
  private static void table(int seconds, Target... targets) throws Exception {
    String only = System.getenv("SIDETRACK_BENCH_TARGETS");
    List<Target> chosen =
        Arrays.stream(targets).filter(t -> only == null || t.name().matches(only)).toList();
    double[][] sums = new double[chosen.size()][6];
    for (int round = 1; round <= ROUNDS; round++) {
      System.out.printf("round %d of %d%n", round, ROUNDS);
      header();
      for (int k = 0; k < chosen.size(); k++) {
        Target t = chosen.get(k);
        double[] cpuBefore = cpuSeconds(t.proxy());
        double[] backgroundBefore = cpuSeconds(List.of(ProcessHandle.current()));
        Wrk.Result r =
            Wrk.run(
                "http://127.0.0.1:" + t.port() + "/", t.header(), THREADS, CONNECTIONS, seconds);
        double[] cpuAfter = cpuSeconds(t.proxy());
        double[] backgroundAfter = cpuSeconds(List.of(ProcessHandle.current()));
        double requests = r.requestsPerSecond() * seconds;
        double[] row = {
          r.requestsPerSecond(),
          r.p50Ms(),
          r.p99Ms(),
          (cpuAfter[0] + cpuAfter[1] - cpuBefore[0] - cpuBefore[1]) * 1e6 / requests,
          (cpuAfter[0] - cpuBefore[0]) * 1e6 / requests,
          (backgroundAfter[0] + backgroundAfter[1] - backgroundBefore[0] - backgroundBefore[1])
              * 100
              / seconds
        };
        for (int c = 0; c < row.length; c++) {
          sums[k][c] += row[c];
        }
        row(t, row, (r.non2xx() > 0 ? "non-2xx " + r.non2xx() + " " : "") + r.socketErrors());
      }
    }
    if (ROUNDS > 1) {
      System.out.printf("mean of %d rounds%n", ROUNDS);
      header();
      for (int k = 0; k < chosen.size(); k++) {
        double[] mean = sums[k].clone();
        for (int c = 0; c < mean.length; c++) {
          mean[c] /= ROUNDS;
        }
        row(chosen.get(k), mean, "");
      }
    }
  }

  private static void header() {
    System.out.printf(
        "%-24s %12s %9s %9s %-26s %14s %s%n",
        "target", "requests/s", "p50 ms", "p99 ms", "proxy CPU", "background CPU", "");
  }

  private static void row(Target t, double[] v, String notes) {
    System.out.printf(
        "%-24s %12.0f %9.2f %9.2f %-26s %13.0f%% %s%n",
        t.name(),
        v[0],
        v[1],
        v[2],
        t.proxy() == null ? "" : String.format("%.1f us/req (user %.1f)", v[3], v[4]),
        v[5],
        notes);
  }

  /** How many times each target is run, in turn. */
  private static final int ROUNDS =
      Integer.parseInt(System.getenv().getOrDefault("SIDETRACK_BENCH_ROUNDS", "2"));

  /**
   * CPU time (user, system) a proxy process and its children (nginx's workers) have used, read from
   * /proc: the cost per request is steadier than requests/s when every process shares two cores.
   */
  static double[] cpuSeconds(Process proxy) throws IOException {
    if (proxy == null) {
      return new double[2];
    }
    List<ProcessHandle> all = new ArrayList<>();
    all.add(proxy.toHandle());
    proxy.toHandle().descendants().forEach(all::add);
    return cpuSeconds(all);
  }

  private static double[] cpuSeconds(List<ProcessHandle> processes) throws IOException {
    double[] userAndSystem = new double[2];
    for (ProcessHandle h : processes) {
      Path stat = Path.of("/proc", Long.toString(h.pid()), "stat");
      if (!Files.exists(stat)) {
        continue;
      }
      String text = Files.readString(stat);
      // fields after the command name, which is in parentheses and may hold spaces
      String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
      userAndSystem[0] += Long.parseLong(f[11]) / (double) CLOCK_TICKS;
      userAndSystem[1] += Long.parseLong(f[12]) / (double) CLOCK_TICKS;
    }
    return userAndSystem;
  }

  /** Linux's USER_HZ, which /proc/PID/stat counts CPU time in. */
  private static final int CLOCK_TICKS = 100;

  /**
   * Checks the agent routes matched requests to the tunnel, then warms its JIT. In that order: the
   * check's client takes another path through the agent (an h2c upgrade, handed to the full proxy),
   * and coming after the warm-up it made the JIT drop code compiled for the measured path, which
   * was then compiled again during the first measured run.
   */
  private static void warm(String url, String header) throws Exception {
    String[] kv = header.split(": ");
    String body =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(url)).header(kv[0], kv[1]).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    if (!body.equals("tunnel\n")) {
      throw new IllegalStateException("matched request did not reach the tunnel: " + body);
    }
    Wrk.run(url, null, THREADS, CONNECTIONS, 5);
    Wrk.run(url, header, THREADS, CONNECTIONS, 5);
  }

  /**
   * Publish a route entry to sidetrack.routes (as registry-stream does), then time until a request
   * through the agent takes it.
   */
  private static void routeEntryLatency(
      KafkaProducer<String, byte[]> producer, String registryUrl, Agent agent, String tunnel)
      throws Exception {
    var entries =
        AvroSerde.forValues(
            new HttpSchemaRegistryClient(SchemaRegistryConfig.of(registryUrl)), RouteEntry.class);
    int partition = WorkloadPartitioning.partitionOf("bench", 12);
    int samples = 100;
    long[] ms = new long[samples];
    for (int s = 0; s < samples; s++) {
      int n = 2_000_000 + s;
      Intercept i =
          new Intercept(
              "i-" + n,
              "bench",
              "dev-" + n,
              MatchRules.header("x-sidetrack-id", "dev-" + n),
              tunnel,
              Instant.now(),
              Instant.now().plusSeconds(60),
              FailureMode.FAIL_OPEN,
              Map.of());
      String key = "bench/i-" + n;
      long start = System.nanoTime();
      producer.send(
          new ProducerRecord<>(
              Topics.ROUTES,
              partition,
              key,
              entries.serialize(Topics.ROUTES, AvroMapping.toRouteEntry(SIGNER.sign(i)))));
      producer.flush();
      awaitTunnel(agent, "dev-" + n);
      ms[s] = (System.nanoTime() - start) / 1_000_000;
      producer.send(new ProducerRecord<>(Topics.ROUTES, partition, key, null));
      Thread.sleep(20);
    }
    Arrays.sort(ms);
    System.out.printf(
        "route entry published -> agent routes by it (%d samples): p50 %d ms, p99 %d ms, max %d"
            + " ms%n",
        samples, ms[samples / 2], ms[(int) Math.ceil(samples * 0.99) - 1], ms[samples - 1]);
  }

  /** Sends requests through the agent until one with this header value reaches the tunnel. */
  private static void awaitTunnel(Agent agent, String value) throws Exception {
    HttpRequest probe =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port + "/"))
            .header("x-sidetrack-id", value)
            .build();
    while (!HTTP.send(probe, HttpResponse.BodyHandlers.ofString()).body().equals("tunnel\n")) {
      Thread.sleep(1);
    }
  }

  /** Publish a registration, then time until a request through the agent takes the new route. */
  private static void routeChangeLatency(
      KafkaProducer<String, byte[]> producer,
      AvroSerde<InterceptRegistration> serde,
      Agent agent,
      String tunnel)
      throws Exception {
    int samples = 50;
    long[] ms = new long[samples];
    for (int s = 0; s < samples; s++) {
      int n = 1_000_000 + s;
      long start = System.nanoTime();
      register(producer, serde, n, tunnel);
      producer.flush();
      awaitTunnel(agent, "dev-" + n);
      ms[s] = (System.nanoTime() - start) / 1_000_000;
      producer.send(new ProducerRecord<>(Topics.INTERCEPTS, "i-" + n, null));
    }
    Arrays.sort(ms);
    System.out.printf(
        "registration published -> agent routes by it (through registry-stream, %d samples):"
            + " p50 %d ms, p99 %d ms, max %d ms%n",
        samples, ms[samples / 2], ms[(int) Math.ceil(samples * 0.99) - 1], ms[samples - 1]);
  }

  static void register(
      KafkaProducer<String, byte[]> producer,
      AvroSerde<InterceptRegistration> serde,
      int n,
      String tunnel) {
    Instant now = Instant.now();
    Intercept i =
        new Intercept(
            "i-" + n,
            "bench",
            "dev-" + n,
            MatchRules.header("x-sidetrack-id", "dev-" + n),
            tunnel,
            now,
            now.plus(Duration.ofMinutes(50)),
            FailureMode.FAIL_OPEN,
            Map.of());
    producer.send(
        new ProducerRecord<>(
            Topics.INTERCEPTS,
            i.id(),
            serde.serialize(Topics.INTERCEPTS, AvroMapping.toRegistration(SIGNER.sign(i)))));
  }

  /** An edge agent in its own JVM, as it runs beside a pod. */
  static final class Agent {
    final Process process;
    final int port;
    final int adminPort;
    final long startNanos;
    final Path log;

    private Agent(Process process, int port, int adminPort, long startNanos, Path log) {
      this.process = process;
      this.port = port;
      this.adminPort = adminPort;
      this.startNanos = startNanos;
      this.log = log;
    }

    /** What the agent logged of its first read: when it began, and how long each part took. */
    String loadedLine() throws IOException {
      return Files.readAllLines(log).stream()
          .filter(l -> l.contains("reading began"))
          .map(l -> l.substring(l.indexOf('(') + 1, l.lastIndexOf(')')))
          .findFirst()
          .orElse("no load line in " + log);
    }

    static Agent start(Path root, Path dir, String bootstrap, String registryUrl, int appPort)
        throws IOException {
      int port = Ports.free();
      int admin = Ports.free();
      Path log = dir.resolve("agent-" + port + ".log");
      Path trusted = dir.resolve("router-signing.pub.pem");
      Files.writeString(
          trusted, io.sidetrack.core.trust.Keys.publicKeyPem(ROUTER_KEYS.getPublic()));
      ProcessBuilder pb =
          new ProcessBuilder(
                  root.resolve("bin/sidetrack").toString(),
                  "edge-agent",
                  "--workload",
                  "bench",
                  "--listen",
                  "127.0.0.1:" + port,
                  "--app",
                  "127.0.0.1:" + appPort,
                  "--admin",
                  "127.0.0.1:" + admin,
                  "--bootstrap-servers",
                  bootstrap,
                  "--schema-registry-url",
                  registryUrl,
                  "--trusted-router-keys",
                  trusted.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      // the agent's own defaults (bin/edge-agent.jvm-options, its thread counts), as shipped;
      // SIDETRACK_BENCH_AGENT_OPTS adds JVM options (a profiler, say)
      pb.environment()
          .put("JAVA_OPTS", System.getenv().getOrDefault("SIDETRACK_BENCH_AGENT_OPTS", ""));
      pb.environment().put("SIDETRACK_HOME", dir.resolve("home").toString());
      return new Agent(pb.start(), port, admin, System.nanoTime(), log);
    }

    /** Waits until /ready and the table holds {@code routes}; returns ms since start. */
    long awaitRoutes(int routes, Duration timeout) throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      Pattern count = Pattern.compile("\"routes\":(\\d+)");
      long readyAt = -1;
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("agent exited: " + process.exitValue());
        }
        try {
          HttpResponse<String> r =
              HTTP.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/ready"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            if (readyAt < 0) {
              readyAt = (System.nanoTime() - startNanos) / 1_000_000;
            }
            Matcher m = count.matcher(r.body());
            if (m.find() && Integer.parseInt(m.group(1)) >= routes) {
              return readyAt;
            }
          }
        } catch (IOException e) {
          // not listening yet
        }
        Thread.sleep(20);
      }
      throw new IllegalStateException("agent did not load " + routes + " routes");
    }

    long heapAfterGcMb() throws Exception {
      new ProcessBuilder("jcmd", String.valueOf(process.pid()), "GC.run")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor();
      // bin/sidetrack execs java, so the process is the JVM itself
      String metrics =
          HTTP.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Matcher m =
          Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\",id=\"[^\"]+\"\\} ([0-9.E]+)")
              .matcher(metrics);
      double bytes = 0;
      while (m.find()) {
        bytes += Double.parseDouble(m.group(1));
      }
      return (long) (bytes / (1024 * 1024));
    }

    void stop() throws InterruptedException {
      process.destroy();
      process.waitFor();
    }
  }
}
