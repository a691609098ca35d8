package io.sidetrack.cli.inject;

import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.cli.options.TopicOptions;
import io.sidetrack.injector.AgentResources;
import io.sidetrack.injector.AgentSettings;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The settings of the injected agent, shared by {@code sidetrack inject} and {@code injector}. */
public final class AgentOptions {
  @EnvVar
  @Option(
      names = "--agent-image",
      paramLabel = "IMAGE",
      description = "The agent's container image (default localhost/sidetrack:<this version>).")
  String agentImage;

  @EnvVar("KAFKA_BOOTSTRAP_SERVERS")
  @Option(
      names = "--bootstrap-servers",
      description = "Kafka bootstrap servers as the agent reaches them from the pod (required).")
  String bootstrapServers;

  @EnvVar("SCHEMA_REGISTRY_URL")
  @Option(
      names = "--schema-registry-url",
      description = "Schema registry URL as the agent reaches it from the pod (required).")
  String schemaRegistryUrl;

  @EnvVar
  @Option(
      names = "--trust-configmap",
      defaultValue = AgentSettings.DEFAULT_TRUST_CONFIGMAP,
      paramLabel = "NAME",
      description =
          "ConfigMap in the workload's namespace whose key "
              + AgentSettings.TRUST_KEY
              + " holds the routers' public keys the agent trusts.")
  String trustConfigMap;

  @EnvVar
  @Option(
      names = "--kafka-config-secret",
      paramLabel = "NAME",
      description =
          "Secret whose key "
              + AgentSettings.KAFKA_CONFIG_KEY
              + " holds extra Kafka client settings (SASL, TLS) for the agent (default none).")
  String kafkaConfigSecret;

  @EnvVar
  @Option(
      names = "--router-ca-configmap",
      paramLabel = "NAME",
      description =
          "ConfigMap whose key "
              + AgentSettings.ROUTER_CA_KEY
              + " holds the CA of the routers' relay certificates (default none: plain relay).")
  String routerCaConfigMap;

  @EnvVar
  @Option(
      names = "--agent-cpu-request",
      defaultValue = "50m",
      paramLabel = "QUANTITY",
      description =
          "CPU request of the agent container (an HPA on CPU needs one on every container).")
  String agentCpuRequest;

  @EnvVar
  @Option(
      names = "--agent-memory-request",
      defaultValue = "192Mi",
      paramLabel = "QUANTITY",
      description = "Memory request of the agent container.")
  String agentMemoryRequest;

  @EnvVar
  @Option(
      names = "--agent-memory-limit",
      defaultValue = "512Mi",
      paramLabel = "QUANTITY",
      description =
          "Memory limit of the agent container: room for its JVM's bounds (heap up to 256 MB,"
              + " metaspace, code cache, direct memory).")
  String agentMemoryLimit;

  /** The agents read the topics the other components were given: {@code SIDETRACK_TOPIC_PREFIX}. */
  @Mixin TopicOptions topics;

  /**
   * The settings.
   *
   * @throws ParameterException (a usage error) naming a missing required setting
   */
  public AgentSettings toSettings(CommandLine cli) {
    require(cli, bootstrapServers, "--bootstrap-servers (KAFKA_BOOTSTRAP_SERVERS)");
    require(cli, schemaRegistryUrl, "--schema-registry-url (SCHEMA_REGISTRY_URL)");
    require(cli, trustConfigMap, "--trust-configmap (SIDETRACK_TRUST_CONFIGMAP)");
    return new AgentSettings(
        agentImage == null || agentImage.isBlank() ? AgentSettings.defaultImage() : agentImage,
        bootstrapServers,
        schemaRegistryUrl,
        trustConfigMap,
        kafkaConfigSecret,
        routerCaConfigMap,
        topics.prefix(),
        AgentSettings.currentVersion(),
        resources(cli));
  }

  private AgentResources resources(CommandLine cli) {
    try {
      return new AgentResources(agentCpuRequest, agentMemoryRequest, agentMemoryLimit);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(cli, e.getMessage());
    }
  }

  private static void require(CommandLine cli, String value, String setting) {
    if (value == null || value.isBlank()) {
      throw new ParameterException(cli, setting + " is required: the agent needs it");
    }
  }
}
