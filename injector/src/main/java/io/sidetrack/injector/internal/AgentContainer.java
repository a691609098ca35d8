package io.sidetrack.injector.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidetrack.injector.AgentSettings;

/**
 * The {@code sidetrack-agent} container and the volumes it mounts: the edge agent of the image
 * ({@code args: [edge-agent]}), configured by environment variables, non-root on a read-only root
 * filesystem with an emptyDir at {@code /tmp}, ready once its route table caught up.
 */
public final class AgentContainer {
  /** Mount points in the agent. */
  public static final String TRUST_DIR = "/etc/sidetrack/trust";

  public static final String KAFKA_DIR = "/etc/sidetrack/kafka";
  public static final String ROUTER_CA_DIR = "/etc/sidetrack/router-ca";

  /** The volumes' names. */
  public static final String TMP_VOLUME = "sidetrack-agent-tmp";

  public static final String TRUST_VOLUME = "sidetrack-trust";
  public static final String KAFKA_VOLUME = "sidetrack-kafka";
  public static final String ROUTER_CA_VOLUME = "sidetrack-router-ca";

  /** The user the image runs as. */
  public static final int USER = 10001;

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private AgentContainer() {}

  /** The container of the agent fronting {@code workload} as {@code takeover} says. */
  public static ObjectNode container(
      AgentSettings settings, String workload, PortTakeover takeover) {
    ObjectNode c = JSON.objectNode();
    c.put("name", AgentSettings.CONTAINER);
    c.put("image", settings.image());
    c.put("imagePullPolicy", "IfNotPresent");
    c.putArray("args").add("edge-agent");

    ArrayNode ports = c.putArray("ports");
    ObjectNode traffic = ports.addObject();
    if (takeover.name() != null) {
      traffic.put("name", takeover.name());
    }
    traffic.put("containerPort", takeover.agentPort()).put("protocol", "TCP");
    ports
        .addObject()
        .put("name", AgentSettings.ADMIN_PORT_NAME)
        .put("containerPort", AgentSettings.ADMIN_PORT)
        .put("protocol", "TCP");

    ArrayNode env = c.putArray("env");
    env(env, "SIDETRACK_WORKLOAD", workload);
    env(env, "SIDETRACK_LISTEN", "0.0.0.0:" + takeover.agentPort());
    env(env, "SIDETRACK_APP", "127.0.0.1:" + takeover.appPort());
    env(env, "SIDETRACK_ADMIN", "0.0.0.0:" + AgentSettings.ADMIN_PORT);
    env.addObject()
        .put("name", "SIDETRACK_AGENT_ID")
        .putObject("valueFrom")
        .putObject("fieldRef")
        .put("fieldPath", "metadata.name");
    env(env, "KAFKA_BOOTSTRAP_SERVERS", settings.bootstrapServers());
    env(env, "SCHEMA_REGISTRY_URL", settings.schemaRegistryUrl());
    env(env, "SIDETRACK_TRUSTED_ROUTER_KEYS", TRUST_DIR + "/" + AgentSettings.TRUST_KEY);
    if (!settings.topicPrefix().isEmpty()) {
      env(env, "SIDETRACK_TOPIC_PREFIX", settings.topicPrefix());
    }
    if (settings.kafkaConfigSecret() != null) {
      env(env, "SIDETRACK_KAFKA_CONFIG", KAFKA_DIR + "/" + AgentSettings.KAFKA_CONFIG_KEY);
    }
    if (settings.routerCaConfigMap() != null) {
      env(env, "SIDETRACK_ROUTER_CA", ROUTER_CA_DIR + "/" + AgentSettings.ROUTER_CA_KEY);
    }

    ObjectNode ready = c.putObject("readinessProbe");
    ready.putObject("httpGet").put("path", "/ready").put("port", AgentSettings.ADMIN_PORT_NAME);
    // probed every second: a new replica takes traffic about when its agent has read its routes
    ready.put("periodSeconds", 1).put("timeoutSeconds", 2).put("failureThreshold", 3);
    ObjectNode live = c.putObject("livenessProbe");
    live.putObject("httpGet").put("path", "/health").put("port", AgentSettings.ADMIN_PORT_NAME);
    live.put("initialDelaySeconds", 15)
        .put("periodSeconds", 10)
        .put("timeoutSeconds", 2)
        .put("failureThreshold", 3);

    ObjectNode resources = c.putObject("resources");
    resources
        .putObject("requests")
        .put("cpu", settings.resources().cpuRequest())
        .put("memory", settings.resources().memoryRequest());
    resources.putObject("limits").put("memory", settings.resources().memoryLimit());

    ObjectNode security = c.putObject("securityContext");
    security
        .put("runAsNonRoot", true)
        .put("runAsUser", USER)
        .put("runAsGroup", USER)
        .put("readOnlyRootFilesystem", true)
        .put("allowPrivilegeEscalation", false);
    security.putObject("capabilities").putArray("drop").add("ALL");
    security.putObject("seccompProfile").put("type", "RuntimeDefault");

    ArrayNode mounts = c.putArray("volumeMounts");
    mounts.addObject().put("name", TMP_VOLUME).put("mountPath", "/tmp");
    mount(mounts, TRUST_VOLUME, TRUST_DIR);
    if (settings.kafkaConfigSecret() != null) {
      mount(mounts, KAFKA_VOLUME, KAFKA_DIR);
    }
    if (settings.routerCaConfigMap() != null) {
      mount(mounts, ROUTER_CA_VOLUME, ROUTER_CA_DIR);
    }
    return c;
  }

  /** The volumes {@link #container} mounts, to append to the pod's. */
  public static ArrayNode volumes(AgentSettings settings) {
    ArrayNode volumes = JSON.arrayNode();
    volumes.addObject().put("name", TMP_VOLUME).putObject("emptyDir").put("sizeLimit", "64Mi");
    configMap(volumes, TRUST_VOLUME, settings.trustConfigMap(), AgentSettings.TRUST_KEY);
    if (settings.kafkaConfigSecret() != null) {
      ObjectNode secret = volumes.addObject().put("name", KAFKA_VOLUME).putObject("secret");
      // the default mode (0644): the agent runs as a user of its own, not as the files' owner
      secret.put("secretName", settings.kafkaConfigSecret());
      secret
          .putArray("items")
          .addObject()
          .put("key", AgentSettings.KAFKA_CONFIG_KEY)
          .put("path", AgentSettings.KAFKA_CONFIG_KEY);
    }
    if (settings.routerCaConfigMap() != null) {
      configMap(
          volumes, ROUTER_CA_VOLUME, settings.routerCaConfigMap(), AgentSettings.ROUTER_CA_KEY);
    }
    return volumes;
  }

  private static void configMap(ArrayNode volumes, String volume, String configMap, String key) {
    ObjectNode cm = volumes.addObject().put("name", volume).putObject("configMap");
    cm.put("name", configMap);
    cm.putArray("items").addObject().put("key", key).put("path", key);
  }

  private static void env(ArrayNode env, String name, String value) {
    env.addObject().put("name", name).put("value", value);
  }

  private static void mount(ArrayNode mounts, String volume, String path) {
    mounts.addObject().put("name", volume).put("mountPath", path).put("readOnly", true);
  }
}
