package io.sidetrack.cli.up;

import io.sidetrack.cli.context.Context;
import io.sidetrack.cli.context.ContextFile;
import io.sidetrack.embedded.Directories;
import io.sidetrack.embedded.EmbeddedKafka;
import io.sidetrack.embedded.EmbeddedSchemaRegistry;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.stream.RegistryStreamApp;
import io.sidetrack.stream.RegistryStreamConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sidetrack up}: the whole stack on this machine, in the foreground, on real parts: an
 * Apache Kafka broker (KRaft) in this process, Apicurio Registry as a child process, and
 * registry-stream. Its state lives until it stops.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Start Sidetrack on this machine in the foreground: a real Kafka broker (KRaft,"
          + " in-process), a real schema registry (Apicurio, child process) and registry-stream.",
      "Prints where each listens and records it in $SIDETRACK_HOME/context.json. Ctrl-C stops"
          + " everything and deletes its data."
    })
public final class UpCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--kafka-port",
      defaultValue = "${env:SIDETRACK_KAFKA_PORT:-9092}",
      description =
          "Kafka client port; 0 picks a free one (env SIDETRACK_KAFKA_PORT; default ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(
      names = "--registry-port",
      defaultValue = "${env:SIDETRACK_REGISTRY_PORT:-8081}",
      description =
          "Schema registry port; 0 picks a free one (env SIDETRACK_REGISTRY_PORT; default"
              + " ${DEFAULT-VALUE}).")
  int registryPort;

  @Option(
      names = "--api-port",
      defaultValue = "${env:SIDETRACK_API_PORT:-8090}",
      description =
          "registry-stream query API port; 0 picks a free one (env SIDETRACK_API_PORT; default"
              + " ${DEFAULT-VALUE}).")
  int apiPort;

  @Option(
      names = "--partitions",
      defaultValue = "${env:SIDETRACK_PARTITIONS:-6}",
      description =
          "Partitions of Sidetrack's topics (env SIDETRACK_PARTITIONS; default ${DEFAULT-VALUE}).")
  int partitions;

  private final Deque<AutoCloseable> running = new ArrayDeque<>();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path home = ContextFile.home();
    refuseIfAlreadyUp(home);
    checkPortFree("--kafka-port", kafkaPort);
    checkPortFree("--registry-port", registryPort);
    checkPortFree("--api-port", apiPort);
    Path run = Files.createDirectories(home.resolve("run"));
    Path data = Files.createTempDirectory(run, "up-");
    Path logs = Files.createDirectories(home.resolve("logs"));
    long pid = ProcessHandle.current().pid();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println();
                  out.println("Stopping...");
                  out.flush();
                  stopAll();
                  ContextFile.removeIfOwnedBy(home, pid);
                  Directories.deleteRecursively(data);
                  out.println("Stopped.");
                  out.flush();
                  stopped.countDown();
                },
                "sidetrack-up-stop"));

    try {
      EmbeddedKafka kafka =
          step(
              out,
              "Kafka broker (KRaft, in-process)",
              () -> EmbeddedKafka.start(data.resolve("kafka"), kafkaPort, false));
      EmbeddedSchemaRegistry registry =
          step(
              out,
              "Schema registry (Apicurio, child process)",
              () ->
                  EmbeddedSchemaRegistry.start(logs.resolve("schema-registry.log"), registryPort));
      RegistryStreamConfig config =
          RegistryStreamConfig.builder(
                  kafka.bootstrapServers(), SchemaRegistryConfig.of(registry.url()))
              .stateDir(data.resolve("streams"))
              .listen("127.0.0.1", apiPort)
              .partitions(partitions)
              .replicationFactor(1)
              .build();
      RegistryStreamApp stream =
          step(out, "registry-stream", () -> RegistryStreamApp.start(config));
      awaitReady(stream);

      Context context =
          new Context(
              kafka.bootstrapServers(), registry.url(), stream.url(), "", pid, Instant.now());
      ContextFile.write(home, context);
      printSummary(out, context, home, logs);
    } catch (Exception e) {
      stopAll();
      Directories.deleteRecursively(data);
      throw e;
    }
    stopped.await();
    return 0;
  }

  private interface Starter<T> {
    T start() throws Exception;
  }

  private <T extends AutoCloseable> T step(PrintWriter out, String what, Starter<T> starter)
      throws Exception {
    out.print("Starting " + what + "... ");
    out.flush();
    long t0 = System.nanoTime();
    T started = starter.start();
    running.push(started);
    out.printf("ready in %.1fs%n", (System.nanoTime() - t0) / 1e9);
    out.flush();
    return started;
  }

  private static void awaitReady(RegistryStreamApp stream) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (stream.streams().state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "registry-stream not running after 60s (state " + stream.streams().state() + ")");
      }
      Thread.sleep(100);
    }
  }

  private void printSummary(PrintWriter out, Context c, Path home, Path logs) {
    out.println();
    out.println("Sidetrack is up.");
    out.printf("  %-22s %s%n", "Kafka bootstrap", c.bootstrapServers());
    out.printf("  %-22s %s%n", "Schema registry", c.schemaRegistryUrl());
    out.printf("  %-22s %s%n", "registry-stream API", c.registryStreamUrl());
    out.printf("  %-22s %s%n", "Context", ContextFile.path(home));
    out.printf("  %-22s %s%n", "Logs", logs);
    out.println();
    out.println("Try:");
    out.println("  curl " + c.registryStreamUrl() + "/intercepts");
    out.println(
        "  bin/kafka-tool consumer.ConsoleConsumer --bootstrap-server "
            + c.bootstrapServers()
            + " --topic sidetrack.audit --from-beginning");
    out.println();
    out.println("Press Ctrl-C to stop.");
    out.flush();
  }

  private void stopAll() {
    while (!running.isEmpty()) {
      try {
        running.pop().close();
      } catch (Exception e) {
        // keep stopping the rest
      }
    }
  }

  private static void refuseIfAlreadyUp(Path home) throws IOException {
    Optional<Context> existing;
    try {
      existing = ContextFile.read(home);
    } catch (IOException e) {
      return; // an unreadable context is overwritten
    }
    if (existing.isPresent()
        && ProcessHandle.of(existing.get().pid()).map(ProcessHandle::isAlive).orElse(false)) {
      throw new IllegalStateException(
          "sidetrack up is already running (pid "
              + existing.get().pid()
              + ", "
              + ContextFile.path(home)
              + "); stop it first");
    }
  }

  private static void checkPortFree(String flag, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
    } catch (IOException e) {
      throw new IllegalStateException(
          "port " + port + " is in use: pass " + flag + " 0 for a free port, or another port");
    }
  }
}
