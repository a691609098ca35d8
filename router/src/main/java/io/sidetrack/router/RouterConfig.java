package io.sidetrack.router;

import static java.util.Objects.requireNonNull;

import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything one router is configured with.
 *
 * @param listenHost where developers' CLIs connect (tunnels and the API)
 * @param listenPort that port (0: a free one)
 * @param relayHost where edge agents deliver matched requests
 * @param relayPort that port (0: a free one)
 * @param advertise the relay address agents are told to use ({@code HOST:PORT}); {@code null}: the
 *     relay address itself
 * @param bootstrapServers Kafka
 * @param schemaRegistry the schema registry
 * @param topicPrefix put in front of every topic name
 * @param tokensFile the bearer tokens (see {@link io.sidetrack.router.api.Tokens})
 * @param agentTimeout an agent whose last heartbeat is older is not counted as live
 * @param kafkaProperties extra Kafka client properties
 */
public record RouterConfig(
    String listenHost,
    int listenPort,
    String relayHost,
    int relayPort,
    String advertise,
    String bootstrapServers,
    SchemaRegistryConfig schemaRegistry,
    String topicPrefix,
    Path tokensFile,
    Duration agentTimeout,
    Map<String, String> kafkaProperties) {

  public static final Duration DEFAULT_AGENT_TIMEOUT = Duration.ofSeconds(10);

  /** Where {@link #of} listens and relays: loopback, on free ports. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  public static final int DEFAULT_PORT = 0;

  /** The default topic prefix: none. */
  public static final String DEFAULT_TOPIC_PREFIX = "";

  public RouterConfig {
    requireNonNull(listenHost, "listenHost");
    requireNonNull(relayHost, "relayHost");
    requireNonNull(bootstrapServers, "bootstrapServers");
    requireNonNull(schemaRegistry, "schemaRegistry");
    requireNonNull(topicPrefix, "topicPrefix");
    requireNonNull(tokensFile, "tokensFile");
    requireNonNull(agentTimeout, "agentTimeout");
    kafkaProperties = Map.copyOf(requireNonNull(kafkaProperties, "kafkaProperties"));
    checkPort("--listen (SIDETRACK_ROUTER_LISTEN)", listenPort);
    checkPort("--relay (SIDETRACK_ROUTER_RELAY)", relayPort);
    if (advertise != null && !advertise.matches("[^\\s:/]+:\\d{1,5}")) {
      throw new IllegalArgumentException(
          "invalid --advertise (SIDETRACK_ROUTER_ADVERTISE): '" + advertise + "' (HOST:PORT)");
    }
    if (agentTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "invalid --agent-timeout (SIDETRACK_AGENT_TIMEOUT): '" + agentTimeout + "' (0 or more)");
    }
  }

  private static void checkPort(String setting, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("invalid " + setting + " port: '" + port + "' (0-65535)");
    }
  }

  /** Defaults for the rest. */
  public static RouterConfig of(
      String bootstrapServers, SchemaRegistryConfig schemaRegistry, Path tokensFile) {
    return new RouterConfig(
        DEFAULT_HOST,
        DEFAULT_PORT,
        DEFAULT_HOST,
        DEFAULT_PORT,
        null,
        bootstrapServers,
        schemaRegistry,
        DEFAULT_TOPIC_PREFIX,
        tokensFile,
        DEFAULT_AGENT_TIMEOUT,
        Map.of());
  }

  public RouterConfig withTopicPrefix(String prefix) {
    return new RouterConfig(
        listenHost,
        listenPort,
        relayHost,
        relayPort,
        advertise,
        bootstrapServers,
        schemaRegistry,
        prefix,
        tokensFile,
        agentTimeout,
        kafkaProperties);
  }

  public RouterConfig withPorts(int listen, int relay, String advertised) {
    return new RouterConfig(
        listenHost,
        listen,
        relayHost,
        relay,
        advertised,
        bootstrapServers,
        schemaRegistry,
        topicPrefix,
        tokensFile,
        agentTimeout,
        kafkaProperties);
  }
}
