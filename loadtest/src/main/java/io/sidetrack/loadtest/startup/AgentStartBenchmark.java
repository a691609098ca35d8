package io.sidetrack.loadtest.startup;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.RouteKeys;
import io.sidetrack.core.Topics;
import io.sidetrack.core.WorkloadPartitioning;
import io.sidetrack.core.trust.Keys;
import io.sidetrack.core.trust.RouteSigner;
import io.sidetrack.embedded.Directories;
import io.sidetrack.embedded.EmbeddedKafka;
import io.sidetrack.embedded.EmbeddedSchemaRegistry;
import io.sidetrack.embedded.Ports;
import io.sidetrack.loadtest.BenchStack;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.HttpSchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How soon a new edge agent replica (autoscaling) is ready with many routes of its workload on the
 * topic: from the moment it is started (a process, as {@code bin/sidetrack edge-agent}, and a
 * container of the shipped image, {@code podman run}) until {@code /ready} answers 200 with every
 * route in its table. The routes are signed route entries written straight to {@code
 * sidetrack.routes}, as registry-stream publishes them; the agents trust the signing key, as
 * shipped.
 *
 * <p>{@code loadtest/run-agent-start.sh [routes] [starts]}; {@code SIDETRACK_BENCH_IMAGE} names the
 * image (default {@code localhost/sidetrack:latest}); without podman or the image, only processes
 * are timed. {@code SIDETRACK_BENCH_JAVA_HOMES} (';'-separated JDKs) starts the process on each of
 * them too, alternating, e.g. the machine's Java 17 beside a Java 25 JDK.
 */
public final class AgentStartBenchmark {
  private static final String WORKLOAD = "bench";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();

  private AgentStartBenchmark() {}

  public static void main(String[] args) throws Exception {
    int routes = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int starts = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path root = Path.of(System.getProperty("sidetrack.root", ".")).toAbsolutePath().normalize();
    String image =
        System.getenv().getOrDefault("SIDETRACK_BENCH_IMAGE", "localhost/sidetrack:latest");
    boolean containers = imageExists(image);
    Path dir = Files.createTempDirectory("sidetrack-agent-start");
    // a stop (SIGTERM: build.sh ends its training stack so) closes the stack and deletes its data
    Thread mainThread = Thread.currentThread();
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  mainThread.interrupt();
                  try {
                    closed.await(60, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }));
    try {
      run(root, dir, routes, starts, image, containers);
    } finally {
      Directories.deleteRecursively(dir);
      closed.countDown();
    }
  }

  /** "" (the default) and the ';'-separated values of the environment variable {@code name}. */
  private static List<String> defaultAnd(String name) {
    List<String> values = new ArrayList<>();
    values.add("");
    for (String v : System.getenv().getOrDefault(name, "").split(";")) {
      if (!v.isBlank()) {
        values.add(v.trim());
      }
    }
    return values;
  }

  /** Starts the stack, writes the routes, then serves it or times the starts. */
  private static void run(
      Path root, Path dir, int routes, int starts, String image, boolean containers)
      throws Exception {
    KeyPair keys = Keys.generate();
    Path trusted = dir.resolve("router-signing.pub.pem");
    Files.writeString(trusted, Keys.publicKeyPem(keys.getPublic()));
    // the image runs as uid 10001: the public key it mounts must be readable to it
    Files.setPosixFilePermissions(
        trusted, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    try (BenchStack stack = BenchStack.start(dir, 12)) {
      EmbeddedKafka kafka = stack.kafka();
      EmbeddedSchemaRegistry registry = stack.registry();
      writeRoutes(kafka.bootstrapServers(), registry.url(), keys, routes);
      System.out.printf(
          "%,d signed routes of workload '%s' on %s; %d starts each; image %s%s%n",
          routes,
          WORKLOAD,
          Topics.ROUTES,
          starts,
          image,
          containers ? "" : " (not found: containers skipped)");
      long serve = Long.getLong("sidetrack.bench.serve", 0);
      if (serve > 0) {
        // keeps the stack up for agents started by hand (profiling one start)
        System.out.println(
            "serving for "
                + serve
                + " s; start an agent with: "
                + String.join(" ", processCommand(root, trusted, kafka, registry)));
        try {
          Thread.sleep(serve * 1000);
        } catch (InterruptedException e) {
          System.out.println("stopping");
        }
        return;
      }
      Map<String, List<Long>> times = new TreeMap<>();
      // JAVA_OPTS to try beside the shipped options
      List<String> variants = defaultAnd("SIDETRACK_BENCH_JAVA_OPTS");
      // JDKs to start the process on beside the default (JAVA_HOME, else the PATH's java), e.g. a
      // Java 25 JDK: its AOT cache
      List<String> javaHomes = defaultAnd("SIDETRACK_BENCH_JAVA_HOMES");
      // bin/sidetrack records the agent's start-up archive on a first start that serves 10 s and
      // maps it from then on, as on a user's machine: that first start (one per JDK) is not timed
      for (String home : javaHomes) {
        long warmUp = time(processCommand(root, trusted, kafka, registry), routes, home, "", 12);
        System.out.printf(
            "start 0%s (untimed: bin/sidetrack records its class archive): ready in %d ms%n",
            home.isEmpty() ? "" : " on " + home, warmUp);
      }
      for (int s = 1; s <= starts; s++) {
        for (String home : javaHomes) {
          for (String opts : variants) {
            long p = time(processCommand(root, trusted, kafka, registry), routes, home, opts, 0);
            String row =
                "process (bin/sidetrack edge-agent"
                    + (home.isEmpty() ? "" : ", JAVA_HOME=" + home)
                    + (opts.isEmpty() ? "" : ", " + opts)
                    + ")";
            times.computeIfAbsent(row, k -> new ArrayList<>()).add(p);
            System.out.printf("start %d: %s ready in %d ms%n", s, row, p);
          }
        }
        if (containers) {
          long c = time(containerCommand(image, trusted, kafka, registry), routes, "", "", 0);
          times
              .computeIfAbsent("container (podman run " + image + ")", k -> new ArrayList<>())
              .add(c);
          System.out.printf("start %d: container ready in %d ms%n", s, c);
        }
      }
      System.out.printf(
          "%n| agent started as | ready with %,d routes (ms), each start | median |%n", routes);
      System.out.println("| --- | --- | --- |");
      for (Entry<String, List<Long>> e : times.entrySet()) {
        List<Long> sorted = new ArrayList<>(e.getValue());
        sorted.sort(Long::compare);
        System.out.printf(
            "| %s | %s | %d |%n", e.getKey(), e.getValue(), sorted.get(sorted.size() / 2));
      }
    }
  }

  private static void writeRoutes(String bootstrap, String registryUrl, KeyPair keys, int n)
      throws Exception {
    RouteSigner signer = new RouteSigner(keys);
    var serde =
        AvroSerde.forValues(
            new HttpSchemaRegistryClient(SchemaRegistryConfig.of(registryUrl)), RouteEntry.class);
    int partition = WorkloadPartitioning.partitionOf(WORKLOAD, 12);
    Instant now = Instant.now();
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.LINGER_MS_CONFIG,
                5),
            new StringSerializer(),
            new ByteArraySerializer())) {
      for (int i = 0; i < n; i++) {
        String id = "dev-" + i + "-" + WORKLOAD;
        Intercept intercept =
            signer.sign(
                new Intercept(
                    id,
                    WORKLOAD,
                    "dev-" + i,
                    MatchRules.personal("dev-" + i),
                    "127.0.0.1:9",
                    now,
                    now.plusSeconds(3600),
                    FailureMode.FAIL_OPEN,
                    Map.of()));
        producer.send(
            new ProducerRecord<>(
                Topics.ROUTES,
                partition,
                RouteKeys.routeKey(WORKLOAD, id),
                serde.serialize(Topics.ROUTES, AvroMapping.toRouteEntry(intercept))));
      }
      producer.flush();
    }
  }

  private static List<String> processCommand(
      Path root, Path trusted, EmbeddedKafka kafka, EmbeddedSchemaRegistry registry) {
    List<String> c = new ArrayList<>(List.of(root.resolve("bin/sidetrack").toString()));
    c.addAll(agentArgs(kafka, registry, trusted.toString()));
    return c;
  }

  private static List<String> containerCommand(
      String image, Path trusted, EmbeddedKafka kafka, EmbeddedSchemaRegistry registry) {
    String mounted = "/keys/router-signing.pub.pem";
    List<String> c =
        new ArrayList<>(
            List.of(
                "podman",
                "run",
                "--rm",
                "--network",
                "host",
                "--read-only",
                "--tmpfs",
                "/tmp",
                "-v",
                trusted + ":" + mounted + ":ro",
                image));
    c.addAll(agentArgs(kafka, registry, mounted));
    return c;
  }

  /** The agent's command line, the same for a process and a container. */
  private static List<String> agentArgs(
      EmbeddedKafka kafka, EmbeddedSchemaRegistry registry, String trustedKeys) {
    return List.of(
        "edge-agent",
        "--workload",
        WORKLOAD,
        "--listen",
        "127.0.0.1:" + Ports.free(),
        "--app",
        "127.0.0.1:9",
        "--admin",
        "127.0.0.1:%ADMIN%",
        "--bootstrap-servers",
        kafka.bootstrapServers(),
        "--schema-registry-url",
        registry.url(),
        "--trusted-router-keys",
        trustedKeys);
  }

  /**
   * Starts {@code command}, waits until it is ready with {@code routes}, keeps it running until
   * {@code runAtLeastS} seconds after its start, stops it: ms to ready.
   */
  private static long time(
      List<String> command, int routes, String javaHome, String javaOpts, long runAtLeastS)
      throws Exception {
    int admin = Ports.free();
    List<String> c = new ArrayList<>();
    for (String a : command) {
      c.add(a.replace("%ADMIN%", String.valueOf(admin)));
    }
    Path log = Files.createTempFile("agent-start", ".log");
    long started = System.nanoTime();
    ProcessBuilder builder = new ProcessBuilder(c).redirectErrorStream(true);
    if (!javaHome.isEmpty()) {
      builder.environment().put("JAVA_HOME", javaHome);
    }
    if (!javaOpts.isEmpty()) {
      builder.environment().put("JAVA_OPTS", javaOpts);
    }
    Process process = builder.redirectOutput(log.toFile()).start();
    try {
      Pattern count = Pattern.compile("\"routes\":(\\d+)");
      long deadline = started + TimeUnit.MINUTES.toNanos(3);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "agent exited (" + process.exitValue() + "): " + Files.readString(log));
        }
        try {
          HttpResponse<String> r =
              HTTP.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/ready"))
                      .timeout(Duration.ofSeconds(1))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          Matcher m = count.matcher(r.body());
          if (r.statusCode() == 200 && m.find() && Integer.parseInt(m.group(1)) >= routes) {
            long ms = (System.nanoTime() - started) / 1_000_000;
            if (Boolean.getBoolean("sidetrack.bench.verbose")) {
              System.out.println(Files.readString(log));
            }
            long hold = Long.getLong("sidetrack.bench.hold", 0);
            if (hold > 0) {
              System.out.println("holding agent " + process.pid() + " for " + hold + " s");
              Thread.sleep(hold * 1000);
            }
            long left = started + TimeUnit.SECONDS.toNanos(runAtLeastS) - System.nanoTime();
            if (left > 0) {
              TimeUnit.NANOSECONDS.sleep(left);
            }
            return ms;
          }
        } catch (IOException e) {
          // not listening yet
        }
        Thread.sleep(10);
      }
      throw new IllegalStateException(
          "not ready with " + routes + " routes: " + Files.readString(log));
    } finally {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  private static boolean imageExists(String image) {
    try {
      Process p =
          new ProcessBuilder("podman", "image", "exists", image)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
