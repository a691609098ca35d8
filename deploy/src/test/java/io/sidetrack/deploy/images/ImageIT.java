package io.sidetrack.deploy.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.sidetrack.core.trust.Keys;
import io.sidetrack.embedded.EmbeddedKafka;
import io.sidetrack.embedded.EmbeddedSchemaRegistry;
import io.sidetrack.embedded.Ports;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.stream.RegistryStreamApp;
import io.sidetrack.stream.RegistryStreamConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image built by {@code deploy/images/build.sh}, run with podman: its launcher on a
 * read-only root filesystem as a non-root user, and an edge agent in a container on the host's
 * network in front of an app on the host, against a real Kafka and schema registry.
 */
@Tag("slow")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ImageIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String VERSION = System.getProperty("sidetrack.version", "0.1.0-SNAPSHOT");
  private static final String IMAGE = "localhost/sidetrack:" + VERSION;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  /** The image of this version: built by the slow profile's package phase, else built here. */
  @BeforeAll
  static void image() throws Exception {
    Result podman = run(Duration.ofSeconds(30), "podman", "--version");
    assertThat(podman.exit()).as("podman must be installed: %s", podman.output()).isZero();
    if (run(Duration.ofSeconds(30), "podman", "image", "exists", IMAGE).exit() != 0) {
      Result build = run(Duration.ofMinutes(8), ROOT.resolve("deploy/images/build.sh").toString());
      assertThat(build.exit()).as(build.output()).isZero();
    }
  }

  @Test
  void launcherPrintsItsVersionOnAReadOnlyRootAsNonRoot() throws Exception {
    Result version = inImage(List.of(), "--version");
    assertThat(version.exit()).as(version.output()).isZero();
    assertThat(version.output().trim()).isEqualTo("sidetrack " + VERSION);

    Result user =
        run(
            Duration.ofSeconds(30),
            "podman",
            "image",
            "inspect",
            "--format",
            "{{.Config.User}}",
            IMAGE);
    assertThat(user.output().trim()).isEqualTo("10001:10001");

    // a usage error: one line and exit code 2, no stack trace
    Result usage = inImage(List.of(), "edge-agent", "--workload", "orders", "--no-such-flag");
    assertThat(usage.exit()).as(usage.output()).isEqualTo(2);
    assertThat(usage.output()).startsWith("sidetrack: Unknown option: '--no-such-flag'");
    assertThat(usage.output()).doesNotContain("\tat ");
  }

  @Test
  void edgeAgentStartsFromTheArchiveRecordedWhenTheImageWasBuilt() throws Exception {
    // build.sh records the agent's start-up archive: an AOT cache on a Java 25 runtime, else AppCDS
    Result listing = inImage(List.of("--entrypoint", "/usr/bin/ls"), "/opt/sidetrack/cds");
    assertThat(listing.exit()).as(listing.output()).isZero();
    boolean aot = listing.output().contains("edge-agent.aot");
    String archive = aot ? "edge-agent.aot" : "edge-agent.jsa";
    assertThat(listing.output().lines()).contains(archive, archive + ".key");

    // the launcher maps it (its key, the runtime and the classpath, matches); JAVA_OPTS comes after
    // the launcher's options, so it can turn the JVM's archive log back on
    Result help =
        inImage(
            List.of("-e", "JAVA_OPTS=" + (aot ? "-Xlog:aot=info" : "-Xlog:cds=info")),
            "edge-agent",
            "--help");
    assertThat(help.exit()).as(help.output()).isZero();
    assertThat(help.output())
        .contains(
            aot
                ? "Opened AOT cache /opt/sidetrack/cds/edge-agent.aot"
                : "/opt/sidetrack/cds/edge-agent.jsa")
        .doesNotContain("Unable to use")
        .doesNotContain("An error has occurred while processing");
  }

  @Test
  void edgeAgentInAContainerIsReadyAndRelaysToTheAppOnTheHost(@TempDir Path dir) throws Exception {
    // the agent's trusted key, readable by the image's user (10001)
    Path keys = Files.createDirectory(dir.resolve("keys"));
    Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(
        keys.resolve("router-signing.pub.pem"), Keys.publicKeyPem(Keys.generate().getPublic()));

    AtomicInteger appRequests = new AtomicInteger();
    HttpServer app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    app.createContext(
        "/",
        exchange -> {
          appRequests.incrementAndGet();
          byte[] body = ("app saw " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    app.start();
    String container = "sidetrack-image-it-" + UUID.randomUUID();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, true);
        EmbeddedSchemaRegistry registry =
            EmbeddedSchemaRegistry.start(dir.resolve("registry.log"), 0);
        RegistryStreamApp stream =
            RegistryStreamApp.start(
                RegistryStreamConfig.builder(
                        kafka.bootstrapServers(), SchemaRegistryConfig.of(registry.url()))
                    .stateDir(dir.resolve("state"))
                    .listen("127.0.0.1", 0)
                    .partitions(3)
                    .replicationFactor(1)
                    .build())) {
      // registry-stream creates the topics the agent reads
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (stream.streams().state() != KafkaStreams.State.RUNNING) {
        assertThat(System.nanoTime()).as("registry-stream running").isLessThan(deadline);
        Thread.sleep(50);
      }
      int listen = Ports.free();
      int admin = Ports.free();
      Path log = dir.resolve("agent.log");
      Process agent =
          new ProcessBuilder(
                  "podman",
                  "run",
                  "--rm",
                  "--name",
                  container,
                  "--network",
                  "host",
                  "--read-only",
                  "--tmpfs",
                  "/tmp",
                  "-v",
                  keys + ":/keys:ro",
                  IMAGE,
                  "edge-agent",
                  "--workload",
                  "orders",
                  "--listen",
                  "127.0.0.1:" + listen,
                  "--admin",
                  "127.0.0.1:" + admin,
                  "--app",
                  "127.0.0.1:" + app.getAddress().getPort(),
                  "--bootstrap-servers",
                  kafka.bootstrapServers(),
                  "--schema-registry-url",
                  registry.url(),
                  "--trusted-router-keys",
                  "/keys/router-signing.pub.pem")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      try {
        long readyMs = awaitReady(agent, admin, log);
        System.out.printf(
            "edge agent container ready in %d ms (podman run to /ready 200)%n%s%n",
            readyMs, readQuietly(log));

        HttpResponse<String> relayed =
            HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listen + "/orders/7"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(relayed.statusCode()).isEqualTo(200);
        assertThat(relayed.body()).isEqualTo("app saw /orders/7");
        assertThat(appRequests.get()).isEqualTo(1);
      } finally {
        run(Duration.ofMinutes(1), "podman", "stop", "--time", "10", container);
        agent.waitFor(30, TimeUnit.SECONDS);
        agent.destroyForcibly();
      }
    } finally {
      app.stop(0);
      run(Duration.ofMinutes(1), "podman", "rm", "-f", "--ignore", container);
    }
  }

  /** Waits for the agent's {@code /ready} to answer 200: milliseconds since it was started. */
  private static long awaitReady(Process agent, int admin, Path log) throws Exception {
    long started = System.nanoTime();
    long deadline = started + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline) {
      assertThat(agent.isAlive()).as("agent exited: %s", readQuietly(log)).isTrue();
      try {
        HttpResponse<String> ready =
            HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/ready"))
                    .timeout(Duration.ofSeconds(1))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (ready.statusCode() == 200) {
          return (System.nanoTime() - started) / 1_000_000;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(20);
    }
    throw new AssertionError("agent not ready in 2 min: " + readQuietly(log));
  }

  private static String readQuietly(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private record Result(int exit, String output) {}

  /**
   * {@code podman run --rm --read-only --tmpfs /tmp [podmanOptions] IMAGE [args]}: a container of
   * the image as it is meant to run, on a read-only root as its non-root user.
   */
  private static Result inImage(List<String> podmanOptions, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("podman", "run", "--rm", "--read-only", "--tmpfs", "/tmp"));
    command.addAll(podmanOptions);
    command.add(IMAGE);
    command.addAll(List.of(args));
    return run(Duration.ofMinutes(1), command.toArray(String[]::new));
  }

  private static Result run(Duration timeout, String... command) throws Exception {
    List<String> c = new ArrayList<>(List.of(command));
    Path out = Files.createTempFile("image-it", ".out");
    try {
      Process p =
          new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
        return new Result(-1, "timed out after " + timeout + ": " + Files.readString(out));
      }
      return new Result(p.exitValue(), Files.readString(out));
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
