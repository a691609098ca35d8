package io.sidetrack.embedded;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real schema registry, Apicurio Registry 2.6 (in-memory storage), started as a child JVM on a
 * free loopback port. Its Confluent-compatible API is at {@link #url()}.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
  /** Environment variable naming the directory holding Apicurio's runner jar. */
  public static final String HOME_ENV = "SIDETRACK_APICURIO_HOME";

  /** Where the build unpacks Apicurio, relative to the repository root. */
  public static final String BUILD_HOME = "embedded/target/apicurio";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final String CCOMPAT_PATH = "/apis/ccompat/v7";

  private final Process process;
  private final String url;

  private EmbeddedSchemaRegistry(Process process, String url) {
    this.process = process;
    this.url = url;
  }

  /**
   * Starts the registry and waits until it answers.
   *
   * @param logFile where the registry's own output goes
   * @param port the HTTP port, or 0 for a free one
   * @throws IllegalStateException when Apicurio is not found or does not become ready
   */
  public static EmbeddedSchemaRegistry start(Path logFile, int port) throws IOException {
    requireNonNull(logFile, "logFile");
    Path runner = findRunnerJar();
    int httpPort = port == 0 ? Ports.free() : port;
    Files.createDirectories(logFile.toAbsolutePath().getParent());
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:+UseSerialGC");
    command.add("-Dquarkus.http.port=" + httpPort);
    command.add("-Dquarkus.http.host=127.0.0.1");
    command.add("-Dquarkus.log.level=WARN");
    command.add("-jar");
    command.add(runner.toString());
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile())
            .directory(runner.getParent().toFile())
            .start();
    String base = "http://127.0.0.1:" + httpPort;
    EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(process, base + CCOMPAT_PATH);
    Thread hook = new Thread(process::destroyForcibly, "stop-schema-registry");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      registry.awaitReady(logFile);
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
    LOG.info("Schema registry ready at {}", registry.url());
    return registry;
  }

  /**
   * Apicurio's runner jar: in {@code $SIDETRACK_APICURIO_HOME}, else in {@value #BUILD_HOME} of the
   * working directory or one of its parents.
   */
  static Path findRunnerJar() throws IOException {
    List<Path> candidates = new ArrayList<>();
    String home = System.getenv(HOME_ENV);
    if (home != null && !home.isBlank()) {
      candidates.add(Path.of(home));
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      candidates.add(dir.resolve(BUILD_HOME));
    }
    for (Path dir : candidates) {
      Optional<Path> jar = runnerIn(dir);
      if (jar.isPresent()) {
        return jar.get();
      }
    }
    throw new IllegalStateException(
        "Apicurio Registry not found: build the project first (./mvnw -DskipTests package"
            + " unpacks it into "
            + BUILD_HOME
            + ") or set "
            + HOME_ENV
            + " to the directory holding apicurio-registry-app-*-runner.jar");
  }

  private static Optional<Path> runnerIn(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("apicurio-registry-app-"))
          .filter(p -> p.getFileName().toString().endsWith("-runner.jar"))
          .findFirst();
    }
  }

  private void awaitReady(Path logFile) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest probe =
        HttpRequest.newBuilder(URI.create(url + "/subjects"))
            .timeout(Duration.ofSeconds(5))
            .build();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "schema registry exited with code " + process.exitValue() + "; see " + logFile);
      }
      try {
        if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the schema registry", e);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the schema registry", e);
      }
    }
    throw new IllegalStateException(
        "schema registry not ready after " + READY_TIMEOUT + "; see " + logFile);
  }

  /**
   * Base URL of the Confluent-compatible API, e.g. {@code http://127.0.0.1:8081/apis/ccompat/v7}.
   */
  public String url() {
    return url;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
