package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sidetrack.cli.context.Context;
import io.sidetrack.cli.context.ContextFile;
import io.sidetrack.core.Topics;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/sidetrack up --secure} as a child process: the stack comes up with each component
 * under its own SCRAM user (up waits for the router to see the agent's heartbeats, which needs the
 * router's, registry-stream's and the agent's ACLs), and the users' files let the right client in
 * and keep the wrong one out.
 */
@Timeout(300)
class SidetrackUpSecureIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private Process up;

  @AfterEach
  void stop() throws Exception {
    if (up != null && up.isAlive()) {
      up.destroy();
      up.waitFor(60, TimeUnit.SECONDS);
    }
  }

  static Map<String, Object> load(Path file) throws Exception {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    }
    Map<String, Object> map = new HashMap<>();
    p.forEach((k, v) -> map.put(k.toString(), v));
    return map;
  }

  static KafkaProducer<String, byte[]> producer(String bootstrap, Map<String, Object> settings) {
    Map<String, Object> props = new HashMap<>(settings);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  @Test
  void upSecureRunsEveryComponentUnderItsOwnUser() throws Exception {
    Path home = Files.createTempDirectory("sidetrack-home");
    Path output = home.resolve("up.out");
    List<String> command =
        List.of(
            ROOT.resolve("bin/sidetrack").toString(),
            "up",
            "--secure",
            "--kafka-port",
            "0",
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
            "3");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(output.toFile());
    pb.environment().put(ContextFile.HOME_ENV, home.toString());
    up = pb.start();
    await()
        .atMost(Duration.ofSeconds(180))
        .until(() -> Files.exists(ContextFile.path(home)) || !up.isAlive());
    assertThat(up.isAlive()).as(Files.readString(output)).isTrue();
    Context context = ContextFile.read(home).orElseThrow();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.readString(output).contains("Press Ctrl-C"));
    assertThat(Files.readString(output))
        .contains("Sidetrack is up, Kafka secured.")
        .contains("SASL/SCRAM-SHA-512 over TLS (SASL_SSL) and ACLs");

    Path users = home.resolve("kafka");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(users)))
        .isEqualTo("rwx------");
    for (String c : List.of("admin", "router", "registry-stream", "agent", "audit")) {
      Path file = users.resolve(c + ".properties");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .as(c)
          .isEqualTo("rw-------");
    }

    // no credentials: the broker answers nothing; the agent's: denied on registrations
    try (var open = producer(context.bootstrapServers(), Map.of())) {
      assertThatThrownBy(
              () ->
                  open.send(new ProducerRecord<>(Topics.INTERCEPTS, "x", new byte[] {0}))
                      .get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
    }
    try (var agent =
        producer(context.bootstrapServers(), load(users.resolve("agent.properties")))) {
      assertThatThrownBy(
              () ->
                  agent
                      .send(new ProducerRecord<>(Topics.INTERCEPTS, "x", new byte[] {0}))
                      .get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(TopicAuthorizationException.class);
    }

    // the broker speaks TLS, verified by the local CA: without trusting it, the handshake fails
    Map<String, Object> agentSettings = load(users.resolve("agent.properties"));
    assertThat(agentSettings)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("ssl.truststore.location", home.resolve("tls/ca.crt").toString());
    Map<String, Object> untrusting = new HashMap<>(agentSettings);
    untrusting.remove("ssl.truststore.location");
    untrusting.remove("ssl.truststore.type");
    try (var agent = producer(context.bootstrapServers(), untrusting)) {
      assertThatThrownBy(
              () ->
                  agent
                      .send(new ProducerRecord<>(Topics.AGENTS, "x", new byte[] {0}))
                      .get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(org.apache.kafka.common.errors.SslAuthenticationException.class);
    }

    // the audit reader's file works for `sidetrack audit` (from the context, plus --kafka-config)
    Path audit = home.resolve("audit.out");
    ProcessBuilder auditPb =
        new ProcessBuilder(
                ROOT.resolve("bin/sidetrack").toString(),
                "audit",
                "--kafka-config",
                users.resolve("audit.properties").toString())
            .redirectErrorStream(true);
    auditPb.redirectOutput(audit.toFile());
    auditPb.environment().put(ContextFile.HOME_ENV, home.toString());
    Process auditProcess = auditPb.start();
    assertThat(auditProcess.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(auditProcess.exitValue()).as(Files.readString(audit)).isEqualTo(0);

    up.destroy();
    assertThat(up.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(output)).contains("Stopped.");
    assertThat(users.resolve("router.properties")).doesNotExist();
  }
}
