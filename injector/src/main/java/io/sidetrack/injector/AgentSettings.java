package io.sidetrack.injector;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What every injected agent gets, the same for every workload: its image, how it reaches Kafka and
 * the schema registry, and the ConfigMaps and Secret (in the workload's namespace) holding the keys
 * it trusts and its client settings.
 *
 * @param image the agent's container image
 * @param bootstrapServers Kafka, as the agent reaches it from the workload's pod
 * @param schemaRegistryUrl the schema registry, as the agent reaches it
 * @param trustConfigMap ConfigMap whose key {@value #TRUST_KEY} holds the routers' public keys
 * @param kafkaConfigSecret {@code null}, or a Secret whose key {@value #KAFKA_CONFIG_KEY} holds
 *     extra Kafka client settings (SASL, TLS)
 * @param routerCaConfigMap {@code null}, or a ConfigMap whose key {@value #ROUTER_CA_KEY} holds the
 *     CA of the routers' relay certificates
 * @param topicPrefix put in front of Sidetrack's topic names, as the other components were given it
 *     ({@code ""}: none)
 * @param version written into {@link Annotations#INJECTED}
 * @param resources the agent container's requests and memory limit
 */
public record AgentSettings(
    String image,
    String bootstrapServers,
    String schemaRegistryUrl,
    String trustConfigMap,
    String kafkaConfigSecret,
    String routerCaConfigMap,
    String topicPrefix,
    String version,
    AgentResources resources) {
  /** The injected container's name. */
  public static final String CONTAINER = "sidetrack-agent";

  /** The agent's admin port: {@code /ready}, {@code /health}, {@code /metrics}. */
  public static final int ADMIN_PORT = 9901;

  /** The name of {@link #ADMIN_PORT}. */
  public static final String ADMIN_PORT_NAME = "sidetrack-admin";

  /**
   * Where the agent listens when it takes over a named port (the app keeps its number): the first
   * number from here up that no container of the pod declares.
   */
  public static final int AGENT_PORT = 15080;

  /**
   * Where the app moves when the agent takes its port number ({@link Annotations#APP_PORT_ENV}):
   * the first number from here up that no container of the pod declares.
   */
  public static final int MOVED_APP_PORT = 15081;

  /** The key of the routers' public keys in {@link #trustConfigMap}. */
  public static final String TRUST_KEY = "router-signing.pub.pem";

  /** The key of the Kafka client settings in {@link #kafkaConfigSecret}. */
  public static final String KAFKA_CONFIG_KEY = "kafka.properties";

  /** The key of the routers' CA in {@link #routerCaConfigMap}. */
  public static final String ROUTER_CA_KEY = "ca.crt";

  /** The ConfigMap of the trusted keys when none is named. */
  public static final String DEFAULT_TRUST_CONFIGMAP = "sidetrack-trust";

  public AgentSettings {
    requireNonNull(image, "image");
    requireNonNull(bootstrapServers, "bootstrapServers");
    requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
    requireNonNull(trustConfigMap, "trustConfigMap");
    requireNonNull(version, "version");
    kafkaConfigSecret = blankToNull(kafkaConfigSecret);
    routerCaConfigMap = blankToNull(routerCaConfigMap);
    topicPrefix = topicPrefix == null ? "" : topicPrefix;
    resources = resources == null ? AgentResources.DEFAULTS : resources;
  }

  /** With the default {@link AgentResources}. */
  public AgentSettings(
      String image,
      String bootstrapServers,
      String schemaRegistryUrl,
      String trustConfigMap,
      String kafkaConfigSecret,
      String routerCaConfigMap,
      String topicPrefix,
      String version) {
    this(
        image,
        bootstrapServers,
        schemaRegistryUrl,
        trustConfigMap,
        kafkaConfigSecret,
        routerCaConfigMap,
        topicPrefix,
        version,
        AgentResources.DEFAULTS);
  }

  /** This build's version ({@code 0.1.0-SNAPSHOT}). */
  public static String currentVersion() {
    try (InputStream in = AgentSettings.class.getResourceAsStream("version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      String v = p.getProperty("version", "");
      return v.isEmpty() || v.startsWith("${") ? "dev" : v;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The image of this build: {@code localhost/sidetrack:<version>}. */
  public static String defaultImage() {
    return "localhost/sidetrack:" + currentVersion();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
