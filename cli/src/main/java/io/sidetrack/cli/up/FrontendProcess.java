package io.sidetrack.cli.up;

import static java.util.Objects.requireNonNull;

import io.sidetrack.embedded.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The {@code frontend} demo workload as a child JVM under the OpenTelemetry Java agent: started at
 * once, waited for with {@link #awaitReady}, destroyed on close.
 */
final class FrontendProcess implements AutoCloseable {
  /** Overrides where the OpenTelemetry Java agent's jar is. */
  static final String JAVAAGENT_ENV = "SIDETRACK_OTEL_JAVAAGENT";

  /**
   * What the frontend's OpenTelemetry agent is told: propagate W3C trace context and baggage, to
   * HTTP calls and into the headers of the Kafka records it produces. Producer propagation is the
   * agent's default; it is set anyway, as the propagators are, so that an inherited environment
   * cannot turn it off (with it off, the records carry no header at all).
   */
  static final Map<String, String> OTEL_ENV =
      Map.of(
          "OTEL_PROPAGATORS", "tracecontext,baggage",
          "OTEL_INSTRUMENTATION_KAFKA_PRODUCER_PROPAGATION_ENABLED", "true",
          "OTEL_SERVICE_NAME", "frontend",
          "OTEL_TRACES_EXPORTER", "none",
          "OTEL_METRICS_EXPORTER", "none",
          "OTEL_LOGS_EXPORTER", "none");

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final int port;
  private final Path log;

  private FrontendProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * The OpenTelemetry Java agent's jar: {@value #JAVAAGENT_ENV}, else {@code
   * javaagent/opentelemetry-javaagent.jar} beside this CLI's jar (or classes), where the build puts
   * it.
   */
  static Optional<Path> javaagent() {
    String configured = System.getenv(JAVAAGENT_ENV);
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured)).filter(Files::isRegularFile);
    }
    return Optional.of(ownLocation().resolveSibling("javaagent/opentelemetry-javaagent.jar"))
        .filter(Files::isRegularFile);
  }

  /**
   * Starts {@code frontend} on a free port, calling {@code downstream}, producing its orders to
   * {@code topic} with the client settings that will be in {@code kafkaSettings} (read at the first
   * order); returns at once.
   */
  static FrontendProcess start(
      Path javaagent, String downstream, Path kafkaSettings, String topic, Path log)
      throws IOException {
    requireNonNull(javaagent, "javaagent");
    requireNonNull(downstream, "downstream");
    requireNonNull(kafkaSettings, "kafkaSettings");
    requireNonNull(topic, "topic");
    int port = Ports.free();
    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    command.add("-javaagent:" + javaagent);
    command.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    command.addAll(List.of("-cp", classpath(), FrontendApp.class.getName()));
    command.addAll(List.of(Integer.toString(port), downstream, kafkaSettings.toString(), topic));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    pb.environment().putAll(OTEL_ENV);
    return new FrontendProcess(pb.start(), port, log);
  }

  /** Waits until it answers {@code /healthz}. */
  void awaitReady(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    URI health = URI.create(url() + "/healthz");
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the frontend demo workload exited with " + process.exitValue() + "; see " + log);
      }
      try {
        HttpResponse<Void> r =
            HTTP.send(
                HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the frontend demo workload did not answer in "
                + timeout.toSeconds()
                + "s; see "
                + log);
      }
      Thread.sleep(100);
    }
  }

  int port() {
    return port;
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String javaExecutable() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /**
   * This CLI's jar (for {@link FrontendApp}), kafka-clients and slf4j-api (its one dependency the
   * producer needs), taken from where this JVM loaded them: the app has no other library.
   */
  static String classpath() {
    return String.join(
        java.io.File.pathSeparator,
        ownLocation().toString(),
        location(KafkaProducer.class).toString(),
        location(org.slf4j.LoggerFactory.class).toString());
  }

  /** This CLI's jar, or its classes directory when run from the build. */
  private static Path ownLocation() {
    return location(FrontendApp.class);
  }

  private static Path location(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(
          "cannot locate the jar of " + c.getName() + ": " + e.getMessage(), e);
    }
  }
}
