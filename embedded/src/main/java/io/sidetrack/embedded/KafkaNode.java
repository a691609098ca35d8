package io.sidetrack.embedded;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka node (KRaft) run from Kafka's own server classes with the caller's server properties, as
 * {@code kafka-storage.sh format} followed by {@code kafka-server-start.sh} would run it: its log
 * directories are formatted with the given cluster id on first start and reused after. Unlike
 * {@link EmbeddedKafka} (loopback, free ports, fixed settings), the listeners, roles and voters are
 * the caller's, so it can be one node of a cluster in a container.
 */
public final class KafkaNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaNode.class);

  private final KafkaRaftServer server;

  private KafkaNode(KafkaRaftServer server) {
    this.server = server;
  }

  /**
   * Formats the node's log directories if they hold no {@code meta.properties} yet, then starts it.
   *
   * @param serverProperties the node's settings, as in {@code server.properties}; must name {@code
   *     node.id}, {@code process.roles}, {@code controller.listener.names} and {@code log.dirs} (or
   *     {@code log.dir})
   * @param clusterId the cluster id written by the format (a base64 UUID, as {@code
   *     kafka-storage.sh random-uuid} prints)
   * @throws IllegalArgumentException when a required property is missing or the settings are
   *     invalid (the message names it)
   * @throws IOException when the log directories cannot be formatted
   */
  public static KafkaNode start(Map<String, String> serverProperties, String clusterId)
      throws IOException {
    requireNonNull(serverProperties, "serverProperties");
    requireNonNull(clusterId, "clusterId");
    Map<String, String> props = new TreeMap<>(serverProperties);
    List<String> logDirs = logDirs(props);
    String metadataDir = props.getOrDefault("metadata.log.dir", logDirs.get(0));
    KafkaConfig config;
    try {
      config = new KafkaConfig(props, false);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("invalid Kafka settings: " + e.getMessage(), e);
    }
    if (!Files.exists(Path.of(metadataDir, "meta.properties"))) {
      format(props, clusterId, metadataDir, logDirs);
      LOG.info("Formatted {} for cluster {}", logDirs, clusterId);
    }
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    LOG.info(
        "Kafka node {} ({}) started, listeners {}",
        props.get("node.id"),
        props.get("process.roles"),
        props.get("listeners"));
    return new KafkaNode(server);
  }

  static List<String> logDirs(Map<String, String> props) {
    String dirs = props.getOrDefault("log.dirs", props.get("log.dir"));
    if (dirs == null || dirs.isBlank()) {
      throw new IllegalArgumentException("log.dirs is not set");
    }
    return Arrays.stream(dirs.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static void format(
      Map<String, String> props, String clusterId, String metadataDir, List<String> logDirs)
      throws IOException {
    // read from the properties KafkaConfig has just validated (its accessors live in kafka-server)
    int nodeId = Integer.parseInt(required(props, "node.id"));
    String controllerListener = required(props, "controller.listener.names").split(",")[0].trim();
    for (String dir : logDirs) {
      Files.createDirectories(Path.of(dir));
    }
    Files.createDirectories(Path.of(metadataDir));
    Set<String> directories = new LinkedHashSet<>(logDirs);
    directories.add(metadataDir);
    try {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setClusterId(clusterId)
          .setNodeId(nodeId)
          .setControllerListenerName(controllerListener)
          .setMetadataLogDirectory(metadataDir)
          .setDirectories(directories)
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .run();
    } catch (Exception e) {
      throw new IOException("cannot format Kafka log directories " + directories + ": " + e, e);
    }
  }

  private static String required(Map<String, String> props, String key) {
    String value = props.get(key);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + " is not set");
    }
    return value.trim();
  }

  /** Blocks until the node has shut down (after {@link #close()}, or a fatal error). */
  public void awaitShutdown() {
    server.awaitShutdown();
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
