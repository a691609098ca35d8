package io.sidetrack.embedded;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka cluster (combined KRaft broker and controller) running in this
 * JVM from Kafka's own server classes, on free loopback ports.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final Path logDir;
  private final boolean deleteOnClose;

  private EmbeddedKafka(
      KafkaRaftServer server, String bootstrapServers, Path logDir, boolean deleteOnClose) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.logDir = logDir;
    this.deleteOnClose = deleteOnClose;
  }

  /** Starts a broker with its data in a temporary directory, deleted on {@link #close()}. */
  public static EmbeddedKafka startTemporary() throws IOException {
    return start(Files.createTempDirectory("sidetrack-kafka-"), 0, true);
  }

  /**
   * Starts a broker with its data in {@code logDir} (formatted on first use, reused after).
   *
   * @param port the client port, or 0 for a free one
   * @param deleteOnClose whether {@link #close()} deletes {@code logDir}
   */
  public static EmbeddedKafka start(Path logDir, int port, boolean deleteOnClose)
      throws IOException {
    requireNonNull(logDir, "logDir");
    Files.createDirectories(logDir);
    int brokerPort = port == 0 ? Ports.free() : port;
    int controllerPort = Ports.free();
    Map<String, Object> props = new java.util.HashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    props.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    props.put("log.dirs", logDir.toString());
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "4");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "4");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("num.partitions", "1");
    props.put("auto.create.topics.enable", "false");
    props.put("log.cleaner.backoff.ms", "1000");

    if (!Files.exists(logDir.resolve("meta.properties"))) {
      format(logDir);
    }
    KafkaConfig config = new KafkaConfig(props, false);
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    String bootstrap = "127.0.0.1:" + brokerPort;
    EmbeddedKafka kafka = new EmbeddedKafka(server, bootstrap, logDir, deleteOnClose);
    try {
      kafka.awaitReady();
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    LOG.info("Kafka broker ready at {} (data in {})", bootstrap, logDir);
    return kafka;
  }

  private static void format(Path logDir) throws IOException {
    try {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setClusterId(Uuid.randomUuid().toString())
          .setNodeId(1)
          .setControllerListenerName("CONTROLLER")
          .setMetadataLogDirectory(logDir.toString())
          .setDirectories(Set.of(logDir.toString()))
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .run();
    } catch (Exception e) {
      throw new IOException("cannot format Kafka log directory " + logDir + ": " + e, e);
    }
  }

  private void awaitReady() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    try (Admin admin = Admin.create(props)) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "Kafka broker at " + bootstrapServers + " not ready after " + READY_TIMEOUT, e);
          }
        }
        if (Thread.interrupted()) {
          throw new IllegalStateException("interrupted while waiting for Kafka");
        }
      }
    }
  }

  /** Where clients connect: {@code host:port}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
    if (deleteOnClose) {
      Directories.deleteRecursively(logDir);
    }
  }
}
