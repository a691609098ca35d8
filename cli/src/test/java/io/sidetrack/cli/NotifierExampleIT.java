package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.core.Topics;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.stream.RegistryStreamApp;
import io.sidetrack.stream.RegistryStreamConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The example audit consumer in schemas/examples/notifier (Node.js, third-party Kafka and Avro
 * clients, no Sidetrack code) reads what registry-stream wrote. Skipped where Node.js or the
 * example's dependencies are missing (.ci/run installs them).
 */
@Timeout(180)
class NotifierExampleIT {
  private static final Path NOTIFIER =
      Path.of("..", "schemas", "examples", "notifier").toAbsolutePath().normalize();

  @Test
  void notifierPrintsWhoStartedInterceptingWhat() throws Exception {
    assumeThat(NOTIFIER.resolve("node_modules/kafkajs")).as("npm install was run").exists();
    assumeThat(new ProcessBuilder("node", "--version").start().waitFor()).isZero();

    String prefix = "n" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String bootstrap = SharedInfrastructure.kafka();
    String registryUrl = SharedInfrastructure.schemaRegistry();
    RegistryStreamConfig config =
        RegistryStreamConfig.builder(bootstrap, SchemaRegistryConfig.of(registryUrl))
            .applicationId("notifier-" + UUID.randomUUID())
            .topicPrefix(prefix)
            .stateDir(Files.createTempDirectory("notifier-it"))
            .listen("127.0.0.1", 0)
            .partitions(2)
            .replicationFactor(1)
            .build();
    try (RegistryStreamApp app = RegistryStreamApp.start(config)) {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> app.streams().state() == KafkaStreams.State.RUNNING);
      var cli = Sidetrack.commandLine();
      cli.setOut(new PrintWriter(new StringWriter()));
      assertThat(
              cli.execute(
                  "register",
                  "orders",
                  "--owner",
                  "alice",
                  "--header",
                  "x-sidetrack-id=alice",
                  "--bootstrap-servers",
                  bootstrap,
                  "--schema-registry-url",
                  registryUrl,
                  "--api-url",
                  app.url(),
                  "--topic-prefix",
                  prefix))
          .isZero();

      Path output = Files.createTempFile("notifier", ".out");
      Process node =
          new ProcessBuilder(
                  "node",
                  "notifier.js",
                  "--bootstrap",
                  bootstrap,
                  "--registry",
                  registryUrl,
                  "--topic",
                  prefix + Topics.AUDIT,
                  "--from-beginning",
                  "--max",
                  "1")
              .directory(NOTIFIER.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      assertThat(node.waitFor(90, TimeUnit.SECONDS)).isTrue();
      assertThat(Files.readString(output).trim())
          .isEqualTo("alice started intercepting orders (x-sidetrack-id=alice)");
    }
  }
}
