package io.sidetrack.embedded;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * JVM from Kafka's own server classes, on free loopback ports: open ({@code PLAINTEXT}), or secured
 * ({@link #startSecure}: SASL/SCRAM-SHA-512, on TLS if given, and Kafka's {@code
 * StandardAuthorizer}).
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  /** The controller listener's own PLAIN user of a secured broker, a super user. */
  static final String CONTROLLER_USER = "kraft-controller";

  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final Path logDir;
  private final boolean deleteOnClose;
  private final Map<String, String> clientProperties;

  private EmbeddedKafka(
      KafkaRaftServer server,
      String bootstrapServers,
      Path logDir,
      boolean deleteOnClose,
      Map<String, String> clientProperties) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.logDir = logDir;
    this.deleteOnClose = deleteOnClose;
    this.clientProperties = clientProperties;
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
    return start(logDir, port, deleteOnClose, null, null);
  }

  /**
   * Starts a secured broker with its data in a temporary directory, deleted on {@link #close()}.
   *
   * @see #startSecure(Path, int, boolean, ScramCredentials)
   */
  public static EmbeddedKafka startTemporarySecure(ScramCredentials admin) throws IOException {
    requireNonNull(admin, "admin");
    return start(Files.createTempDirectory("sidetrack-kafka-"), 0, true, admin, null);
  }

  /**
   * Starts a secured broker whose client listener speaks {@code SASL_SSL} with {@code tls}, with
   * its data in a temporary directory, deleted on {@link #close()}.
   *
   * @see #startSecure(Path, int, boolean, ScramCredentials, BrokerTls)
   */
  public static EmbeddedKafka startTemporarySecure(ScramCredentials admin, BrokerTls tls)
      throws IOException {
    requireNonNull(admin, "admin");
    requireNonNull(tls, "tls");
    return start(Files.createTempDirectory("sidetrack-kafka-"), 0, true, admin, tls);
  }

  /**
   * Starts a secured broker: its client listener speaks {@code SASL_PLAINTEXT} with SCRAM-SHA-512
   * only, Kafka's {@code StandardAuthorizer} decides every request, nothing is allowed without an
   * ACL ({@code allow.everyone.if.no.acl.found=false}), and {@code admin} is the one super user,
   * created at format time (as {@code kafka-storage format --add-scram} does) so that it can log in
   * before any other user exists. The controller listener, on loopback, takes SASL/PLAIN with a
   * random password known only to this JVM.
   *
   * @param port the client port, or 0 for a free one
   * @param deleteOnClose whether {@link #close()} deletes {@code logDir}
   * @param admin the super user; its settings are {@link #clientProperties()}
   */
  public static EmbeddedKafka startSecure(
      Path logDir, int port, boolean deleteOnClose, ScramCredentials admin) throws IOException {
    requireNonNull(admin, "admin");
    return start(logDir, port, deleteOnClose, admin, null);
  }

  /**
   * As {@link #startSecure(Path, int, boolean, ScramCredentials)}, with the client listener on TLS
   * ({@code SASL_SSL}) when {@code tls} is given.
   *
   * @param tls the listener's certificate and key, and the CA clients verify it by; or {@code null}
   *     for {@code SASL_PLAINTEXT}
   */
  public static EmbeddedKafka startSecure(
      Path logDir, int port, boolean deleteOnClose, ScramCredentials admin, BrokerTls tls)
      throws IOException {
    requireNonNull(admin, "admin");
    return start(logDir, port, deleteOnClose, admin, tls);
  }

  private static EmbeddedKafka start(
      Path logDir, int port, boolean deleteOnClose, ScramCredentials admin, BrokerTls tls)
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
    if (admin != null) {
      secure(props, brokerPort, controllerPort, admin, tls);
    }

    if (!Files.exists(logDir.resolve("meta.properties"))) {
      format(logDir, admin);
    }
    KafkaConfig config = new KafkaConfig(props, false);
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    String bootstrap = "127.0.0.1:" + brokerPort;
    EmbeddedKafka kafka =
        new EmbeddedKafka(
            server,
            bootstrap,
            logDir,
            deleteOnClose,
            admin == null ? Map.of() : clientProperties(admin, tls));
    try {
      kafka.awaitReady();
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    LOG.info(
        "Kafka broker ready at {} (data in {}){}",
        bootstrap,
        logDir,
        admin == null
            ? ""
            : (tls == null ? ", SASL/SCRAM" : ", SASL/SCRAM over TLS")
                + " and ACLs, super user "
                + admin.user());
    return kafka;
  }

  /** A client's settings as {@code user}, over TLS when {@code tls} is given. */
  static Map<String, String> clientProperties(ScramCredentials user, BrokerTls tls) {
    Map<String, String> props = new java.util.HashMap<>(user.clientProperties());
    if (tls != null) {
      props.putAll(tls.clientProperties());
    }
    return Map.copyOf(props);
  }

  /**
   * The settings of a SASL/SCRAM client listener (on TLS when {@code tls} is given), a SASL/PLAIN
   * controller and the authorizer.
   */
  private static void secure(
      Map<String, Object> props,
      int brokerPort,
      int controllerPort,
      ScramCredentials admin,
      BrokerTls tls) {
    ScramCredentials controller = ScramCredentials.random(CONTROLLER_USER);
    String protocol = tls == null ? "SASL_PLAINTEXT" : "SASL_SSL";
    String listener = protocol.toLowerCase(java.util.Locale.ROOT);
    props.put(
        "listeners",
        protocol + "://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", protocol + "://127.0.0.1:" + brokerPort);
    props.put("inter.broker.listener.name", protocol);
    props.put(
        "listener.security.protocol.map", "CONTROLLER:SASL_PLAINTEXT," + protocol + ":" + protocol);
    props.put("sasl.enabled.mechanisms", ScramCredentials.MECHANISM);
    props.put("listener.name." + listener + ".sasl.enabled.mechanisms", ScramCredentials.MECHANISM);
    props.put("sasl.mechanism.inter.broker.protocol", ScramCredentials.MECHANISM);
    props.put("listener.name." + listener + ".scram-sha-512.sasl.jaas.config", admin.jaasConfig());
    if (tls != null) {
      props.putAll(tls.brokerProperties(listener));
    }
    // SCRAM credentials live in the metadata the controller serves, so the controller itself
    // cannot use them: PLAIN, with a password made for this run.
    props.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
    props.put("sasl.mechanism.controller.protocol", "PLAIN");
    props.put(
        "listener.name.controller.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + controller.user()
            + "\" password=\""
            + controller.password()
            + "\" user_"
            + controller.user()
            + "=\""
            + controller.password()
            + "\";");
    props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    props.put("allow.everyone.if.no.acl.found", "false");
    props.put("super.users", admin.principal() + ";" + controller.principal());
  }

  private static void format(Path logDir, ScramCredentials admin) throws IOException {
    try {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setClusterId(Uuid.randomUuid().toString())
          .setNodeId(1)
          .setControllerListenerName("CONTROLLER")
          .setMetadataLogDirectory(logDir.toString())
          .setDirectories(Set.of(logDir.toString()))
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setScramArguments(
              admin == null
                  ? List.of()
                  : List.of(
                      ScramCredentials.MECHANISM
                          + "=[name="
                          + admin.user()
                          + ",password="
                          + admin.password()
                          + "]"))
          .run();
    } catch (Exception e) {
      throw new IOException("cannot format Kafka log directory " + logDir + ": " + e, e);
    }
  }

  private void awaitReady() {
    Properties props = new Properties();
    props.putAll(clientProperties);
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

  /**
   * The client settings of the super user of a secured broker ({@code security.protocol}, {@code
   * sasl.*}); none for an open one.
   */
  public Map<String, String> clientProperties() {
    return clientProperties;
  }

  /** Whether clients must authenticate (see {@link #startSecure}). */
  public boolean secured() {
    return !clientProperties.isEmpty();
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
