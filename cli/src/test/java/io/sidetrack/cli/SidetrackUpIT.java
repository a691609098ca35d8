package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.cli.context.Context;
import io.sidetrack.cli.context.ContextFile;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.Topics;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.registry.HttpSchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * End to end on real processes: {@code bin/sidetrack up} as a child process, registrations from a
 * plain Kafka producer, results read back through the query API and Kafka's own console consumer.
 */
@Timeout(300)
class SidetrackUpIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private Process up;

  @AfterEach
  void stop() throws Exception {
    Launcher.stop(up);
  }

  private static ProcessBuilder sidetrack(Path home, Path output, String... args) {
    return Launcher.sidetrack(home, output, args);
  }

  @Test
  void upRunsTheStackAndDecidesRegistrationsFromAPlainProducer() throws Exception {
    Path home = Files.createTempDirectory("sidetrack-home");
    Path output = home.resolve("up.out");
    up =
        sidetrack(
                home,
                output,
                "up",
                "--kafka-port",
                "0",
                "--registry-port",
                "0",
                "--api-port",
                "0",
                "--router-port",
                "0",
                "--demo-port",
                "0",
                "--partitions",
                "3")
            .start();
    await()
        .atMost(Duration.ofSeconds(120))
        .until(() -> Files.exists(ContextFile.path(home)) || !up.isAlive());
    assertThat(up.isAlive()).as(Files.readString(output)).isTrue();
    Context context = ContextFile.read(home).orElseThrow();
    assertThat(Files.readString(output)).contains("Sidetrack is up.", context.bootstrapServers());

    // a second `up` against the same home refuses with one clear line
    Path second = home.resolve("second.out");
    Process again =
        sidetrack(
                home,
                second,
                "up",
                "--kafka-port",
                "0",
                "--registry-port",
                "0",
                "--api-port",
                "0",
                "--router-port",
                "0",
                "--demo-port",
                "0")
            .start();
    assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(again.exitValue()).isEqualTo(1);
    assertThat(Files.readString(second).trim())
        .startsWith("sidetrack: error: sidetrack up is already running");

    var serde =
        AvroSerde.forValues(
            new HttpSchemaRegistryClient(SchemaRegistryConfig.of(context.schemaRegistryUrl())),
            InterceptRegistration.class);
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, context.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      // up's registry-stream takes only what its router's key (in its state dir) signed
      var signer =
          io.sidetrack.core.trust.RouteSigner.of(
              io.sidetrack.core.trust.Keys.privateKey(
                  Files.readString(
                      home.resolve("keys").resolve(io.sidetrack.cli.keys.KeyFiles.PRIVATE))));
      for (var unsigned : List.of(intercept("i-1", "alice"), intercept("i-2", "bob"))) {
        var i = signer.sign(unsigned);
        producer
            .send(
                new ProducerRecord<>(
                    Topics.INTERCEPTS,
                    i.id(),
                    serde.serialize(Topics.INTERCEPTS, AvroMapping.toRegistration(i))))
            .get();
      }
    }

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> get(context.registryStreamUrl() + "/intercepts/i-2").contains("REJECTED"));
    assertThat(get(context.registryStreamUrl() + "/intercepts/i-1")).contains("\"ACTIVE\"");
    assertThat(get(context.registryStreamUrl() + "/intercepts/i-2"))
        .contains("conflicts with intercept i-1 of alice");

    // Kafka's own console consumer reads the route entry the decision published
    Path consumed = home.resolve("consumer.out");
    Process consumer =
        new ProcessBuilder(
                ROOT.resolve("bin/kafka-tool").toString(),
                "consumer.ConsoleConsumer",
                "--bootstrap-server",
                context.bootstrapServers(),
                "--topic",
                Topics.ROUTES,
                "--from-beginning",
                "--max-messages",
                "1",
                "--timeout-ms",
                "30000",
                "--formatter-property",
                "print.key=true")
            .redirectErrorStream(true)
            .redirectOutput(consumed.toFile())
            .start();
    assertThat(consumer.waitFor(90, TimeUnit.SECONDS)).isTrue();
    // values are Avro binary; keys are plain strings
    assertThat(Files.readString(consumed, StandardCharsets.ISO_8859_1)).contains("orders/i-1\t");

    up.destroy();
    assertThat(up.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(output)).contains("Stopped.");
    assertThat(ContextFile.path(home).toFile()).doesNotExist();
    assertThat(home.resolve("run").toFile().list()).isEmpty();
  }

  @Test
  void unknownFlagIsAUsageErrorWithOneLine() throws Exception {
    Path home = Files.createTempDirectory("sidetrack-home");
    Path output = home.resolve("out");
    Process p = sidetrack(home, output, "up", "--kafka-prot", "1").start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(Files.readString(output)).startsWith("sidetrack: Unknown options: '--kafka-prot'");
  }

  private static Intercept intercept(String id, String owner) {
    Instant now = Instant.now();
    return new Intercept(
        id,
        "orders",
        owner,
        MatchRules.header("x-sidetrack-id", "shared"),
        "router:9000",
        now,
        now.plusSeconds(300),
        FailureMode.FAIL_OPEN,
        Map.of());
  }

  private static String get(String url) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  static {
    // the launcher must exist: this test runs after `package`
    assertThat(new File(ROOT.toFile(), "bin/sidetrack")).exists();
  }
}
