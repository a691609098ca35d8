package io.sidetrack.cli.components;

import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.embedded.KafkaNode;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sidetrack kafka-server} (hidden): one Apache Kafka node (KRaft) from the Kafka jars this
 * CLI carries, configured as the {@code apache/kafka} image is, so that a compose stack can run
 * Kafka from the sidetrack image where that image cannot be pulled.
 */
@Command(
    name = KafkaServerCommand.NAME,
    hidden = true,
    mixinStandardHelpOptions = true,
    description = {
      "Run one Apache Kafka node (KRaft) from the Kafka jars this CLI carries, configured as the"
          + " apache/kafka container image is: every environment variable KAFKA_SOME_NAME sets"
          + " the server property some.name ('_' becomes '.', '__' becomes '_', '___' becomes"
          + " '-'); --property KEY=VALUE sets one too and wins.",
      "On first start it formats log.dirs (default "
          + KafkaServerCommand.DEFAULT_LOG_DIRS
          + ") for --cluster-id, as 'kafka-storage.sh format' does; later starts reuse them.",
      "For compose stacks and containers; 'sidetrack up' runs its own broker."
    })
public final class KafkaServerCommand implements Callable<Integer> {
  public static final String NAME = "kafka-server";

  /** The {@code apache/kafka} image's default log directory, kept so volumes mount alike. */
  static final String DEFAULT_LOG_DIRS = "/tmp/kraft-combined-logs";

  /** The {@code apache/kafka} image's default cluster id. */
  static final String DEFAULT_CLUSTER_ID = "5L6g3nShT-eMCtK--X86sw";

  /**
   * Variables with the {@code KAFKA_} prefix that are not server properties: the launcher's JVM
   * settings (as the {@code apache/kafka} image excludes them) and Sidetrack's client setting.
   */
  static final Set<String> NOT_PROPERTIES =
      Set.of(
          "KAFKA_VERSION",
          "KAFKA_HOME",
          "KAFKA_DEBUG",
          "KAFKA_OPTS",
          "KAFKA_HEAP_OPTS",
          "KAFKA_JMX_OPTS",
          "KAFKA_JMX_PORT",
          "KAFKA_JMX_HOSTNAME",
          "KAFKA_JVM_PERFORMANCE_OPTS",
          "KAFKA_GC_LOG_OPTS",
          "KAFKA_LOG4J_OPTS",
          "KAFKA_LOG4J_ROOT_LOGLEVEL",
          "KAFKA_LOG4J_LOGGERS",
          "KAFKA_TOOLS_LOG4J_LOGLEVEL",
          "KAFKA_BOOTSTRAP_SERVERS");

  private static final String PREFIX = "KAFKA_";

  @EnvVar("CLUSTER_ID")
  @Option(
      names = "--cluster-id",
      defaultValue = DEFAULT_CLUSTER_ID,
      description = "Cluster id written when log.dirs is formatted (kafka-storage.sh random-uuid).")
  String clusterId;

  @Option(
      names = {"-p", "--property"},
      paramLabel = "KEY=VALUE",
      description =
          "A server property (repeatable); its variable is KAFKA_ followed by the key in capitals,"
              + " dots as underscores.")
  Map<String, String> properties = Map.of();

  /** The process environment; a test gives its own. */
  Map<String, String> environment = System.getenv();

  @Override
  public Integer call() throws Exception {
    KafkaNode node = KafkaNode.start(serverProperties(), clusterId);
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "stop-kafka-server"));
    node.awaitShutdown();
    return 0;
  }

  /** The node's settings: defaults, then the environment's, then {@code --property}. */
  Map<String, String> serverProperties() {
    Map<String, String> props = new TreeMap<>();
    props.put("log.dirs", DEFAULT_LOG_DIRS);
    props.putAll(fromEnvironment(environment));
    props.putAll(properties);
    return props;
  }

  /**
   * The server properties named by {@code KAFKA_*} variables, as the {@code apache/kafka} image
   * maps them: {@code KAFKA_LOG_DIRS=/x} is {@code log.dirs=/x}, {@code
   * KAFKA_LISTENER_NAME_EXTERNAL_SSL__CLIENT__AUTH} is {@code
   * listener.name.external.ssl_client_auth}, and {@code ___} stands for {@code -}.
   */
  static Map<String, String> fromEnvironment(Map<String, String> env) {
    Map<String, String> props = new TreeMap<>();
    env.forEach(
        (name, value) -> {
          if (name.startsWith(PREFIX)
              && name.length() > PREFIX.length()
              && !NOT_PROPERTIES.contains(name)) {
            props.put(propertyName(name.substring(PREFIX.length())), value);
          }
        });
    return props;
  }

  static String propertyName(String variable) {
    return variable
        .toLowerCase(Locale.ROOT)
        .replace("___", "\u0000")
        .replace("__", "\u0001")
        .replace('_', '.')
        .replace('\u0000', '-')
        .replace('\u0001', '_');
  }
}
