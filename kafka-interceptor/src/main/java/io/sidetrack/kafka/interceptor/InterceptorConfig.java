package io.sidetrack.kafka.interceptor;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The settings of {@link SidetrackConsumerInterceptor}, read from the consumer's own properties
 * (where {@code interceptor.classes} names it); a setting absent there is read from its environment
 * variable ({@code sidetrack.schema.registry.url} from {@code SIDETRACK_SCHEMA_REGISTRY_URL}), so a
 * platform can set them for every app of a pod. Validated by Kafka's {@link ConfigDef}: a bad value
 * fails the consumer's construction with a {@link ConfigException} naming the key and the value.
 *
 * @param workload the workload whose intercepts' records are skipped
 * @param bootstrapServers Sidetrack's Kafka cluster
 * @param schemaRegistryUrl Sidetrack's schema registry (Confluent-compatible API)
 * @param topicPrefix put in front of Sidetrack's topic names
 * @param trustedRouterKeyFiles PEM files of the routers' public keys; empty: routes taken
 *     unverified
 * @param mode cluster (skip what intercepts claim) or developer (keep only the developer's)
 * @param developerId in developer mode, the intercept id or owner whose records are kept
 * @param firstReadWait how long the first poll may wait for the first read of the routes
 * @param heartbeatInterval how often the consumer reports the routes it applied
 * @param agentId its id in {@code sidetrack.agents}
 * @param kafkaProperties extra settings of Sidetrack's own Kafka clients (security)
 */
public record InterceptorConfig(
    String workload,
    String bootstrapServers,
    String schemaRegistryUrl,
    String topicPrefix,
    List<String> trustedRouterKeyFiles,
    Mode mode,
    String developerId,
    Duration firstReadWait,
    Duration heartbeatInterval,
    String agentId,
    Map<String, String> kafkaProperties) {

  /** What the interceptor keeps. */
  public enum Mode {
    /** The cluster's consumers: records an active intercept of the workload claims are skipped. */
    CLUSTER,
    /** A developer's own consumer: only the records the developer's intercept claims are kept. */
    DEVELOPER
  }

  public static final String WORKLOAD_CONFIG = "sidetrack.workload";
  public static final String WORKLOAD_DOC =
      "The workload this consumer belongs to: the records its intercepts claim are skipped.";

  public static final String BOOTSTRAP_SERVERS_CONFIG = "sidetrack.bootstrap.servers";
  public static final String BOOTSTRAP_SERVERS_DOC =
      "Sidetrack's Kafka cluster. Default: the consumer's own bootstrap.servers (and then its"
          + " security.protocol, sasl.* and ssl.* settings too).";

  public static final String SCHEMA_REGISTRY_URL_CONFIG = "sidetrack.schema.registry.url";
  public static final String SCHEMA_REGISTRY_URL_DOC =
      "Sidetrack's schema registry (Confluent-compatible API; Apicurio:"
          + " http://HOST:PORT/apis/ccompat/v7).";

  public static final String TOPIC_PREFIX_CONFIG = "sidetrack.topic.prefix";
  public static final String TOPIC_PREFIX_DOC = "Put in front of Sidetrack's topic names.";

  public static final String TRUSTED_ROUTER_KEYS_CONFIG = "sidetrack.trusted.router.keys";
  public static final String TRUSTED_ROUTER_KEYS_DOC =
      "Comma-separated PEM files of the routers' Ed25519 public keys, as the edge agents'"
          + " --trusted-router-keys: a route entry none of them signed is refused and skips"
          + " nothing. Empty: route entries are taken unverified (a warning at start).";

  public static final String MODE_CONFIG = "sidetrack.mode";
  public static final String MODE_DOC =
      "cluster: skip the records an active intercept of the workload claims. developer: keep only"
          + " the records the intercept of sidetrack.developer.id claims (a laptop's consumer;"
          + " nothing is kept before the routes are read or when none is the developer's).";

  public static final String DEVELOPER_ID_CONFIG = "sidetrack.developer.id";
  public static final String DEVELOPER_ID_DOC =
      "Developer mode: the intercept id, or the owner, whose records are kept.";

  public static final String FIRST_READ_WAIT_MS_CONFIG = "sidetrack.first.read.wait.ms";
  public static final String FIRST_READ_WAIT_MS_DOC =
      "How long the consumer's first poll with records may wait for the first read of the"
          + " workload's routes; after it, and with Sidetrack's topics unreachable, polls never"
          + " wait (cluster mode filters by the last routes read, or by none).";
  public static final long DEFAULT_FIRST_READ_WAIT_MS = 500;

  public static final String HEARTBEAT_INTERVAL_MS_CONFIG = "sidetrack.heartbeat.interval.ms";
  public static final String HEARTBEAT_INTERVAL_MS_DOC =
      "How often the consumer reports the route entries it applied to sidetrack.agents (and at"
          + " once when that changes), as an edge agent does; an intercept becomes active only"
          + " once every live reporter of its workload applied it.";
  public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 2000;

  public static final String AGENT_ID_CONFIG = "sidetrack.agent.id";
  public static final String AGENT_ID_DOC =
      "Id of this JVM's report in sidetrack.agents. Default: WORKLOAD-kafka-HOSTNAME-random.";

  /** Prefix of extra settings for Sidetrack's own Kafka clients (SASL, TLS). */
  public static final String KAFKA_PREFIX = "sidetrack.kafka.";

  /** The settings, with their types, defaults and docs. */
  public static final ConfigDef CONFIG =
      new ConfigDef()
          .define(WORKLOAD_CONFIG, ConfigDef.Type.STRING, ConfigDef.Importance.HIGH, WORKLOAD_DOC)
          .define(
              BOOTSTRAP_SERVERS_CONFIG,
              ConfigDef.Type.STRING,
              null,
              ConfigDef.Importance.HIGH,
              BOOTSTRAP_SERVERS_DOC)
          .define(
              SCHEMA_REGISTRY_URL_CONFIG,
              ConfigDef.Type.STRING,
              ConfigDef.Importance.HIGH,
              SCHEMA_REGISTRY_URL_DOC)
          .define(
              TOPIC_PREFIX_CONFIG,
              ConfigDef.Type.STRING,
              "",
              ConfigDef.Importance.MEDIUM,
              TOPIC_PREFIX_DOC)
          .define(
              TRUSTED_ROUTER_KEYS_CONFIG,
              ConfigDef.Type.LIST,
              "",
              ConfigDef.Importance.HIGH,
              TRUSTED_ROUTER_KEYS_DOC)
          .define(
              MODE_CONFIG,
              ConfigDef.Type.STRING,
              "cluster",
              ConfigDef.CaseInsensitiveValidString.in("cluster", "developer"),
              ConfigDef.Importance.MEDIUM,
              MODE_DOC)
          .define(
              DEVELOPER_ID_CONFIG,
              ConfigDef.Type.STRING,
              null,
              ConfigDef.Importance.MEDIUM,
              DEVELOPER_ID_DOC)
          .define(
              FIRST_READ_WAIT_MS_CONFIG,
              ConfigDef.Type.LONG,
              DEFAULT_FIRST_READ_WAIT_MS,
              ConfigDef.Range.between(0, 60_000),
              ConfigDef.Importance.LOW,
              FIRST_READ_WAIT_MS_DOC)
          .define(
              HEARTBEAT_INTERVAL_MS_CONFIG,
              ConfigDef.Type.LONG,
              DEFAULT_HEARTBEAT_INTERVAL_MS,
              ConfigDef.Range.between(100, 60_000),
              ConfigDef.Importance.LOW,
              HEARTBEAT_INTERVAL_MS_DOC)
          .define(
              AGENT_ID_CONFIG, ConfigDef.Type.STRING, null, ConfigDef.Importance.LOW, AGENT_ID_DOC);

  public InterceptorConfig {
    requireNonNull(workload, "workload");
    requireNonNull(bootstrapServers, "bootstrapServers");
    requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
    requireNonNull(topicPrefix, "topicPrefix");
    trustedRouterKeyFiles = List.copyOf(trustedRouterKeyFiles);
    requireNonNull(mode, "mode");
    requireNonNull(firstReadWait, "firstReadWait");
    requireNonNull(heartbeatInterval, "heartbeatInterval");
    requireNonNull(agentId, "agentId");
    kafkaProperties = Map.copyOf(kafkaProperties);
  }

  /** The environment variable of a setting: {@code sidetrack.mode} is {@code SIDETRACK_MODE}. */
  public static String envVar(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  /** Reads the settings from a consumer's properties, then the environment. */
  public static InterceptorConfig from(Map<String, ?> consumerConfigs) {
    return from(consumerConfigs, System::getenv);
  }

  /**
   * Reads the settings from a consumer's properties, then {@code env}.
   *
   * @throws ConfigException naming the key and the value when one is missing or bad
   */
  public static InterceptorConfig from(
      Map<String, ?> consumerConfigs, Function<String, String> env) {
    Map<String, Object> given = new HashMap<>();
    for (String key : CONFIG.names()) {
      Object v = consumerConfigs.get(key);
      if (v == null) {
        v = env.apply(envVar(key));
      }
      if (v != null) {
        given.put(key, v);
      }
    }
    Map<String, Object> values = CONFIG.parse(given);
    String workload = ((String) values.get(WORKLOAD_CONFIG)).trim();
    if (!io.sidetrack.core.InterceptValidator.isValidWorkload(workload)) {
      throw new ConfigException(
          WORKLOAD_CONFIG, workload, "not a workload name (an RFC 1123 label)");
    }
    Map<String, String> kafka = new HashMap<>();
    String bootstrap = (String) values.get(BOOTSTRAP_SERVERS_CONFIG);
    if (bootstrap == null || bootstrap.isBlank()) {
      Object own = consumerConfigs.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
      if (own == null) {
        throw new ConfigException(
            BOOTSTRAP_SERVERS_CONFIG, null, "not set, and the consumer has no bootstrap.servers");
      }
      bootstrap =
          own instanceof List<?> l
              ? String.join(",", l.stream().map(Object::toString).toList())
              : own.toString();
      // the same cluster: the consumer's credentials work for Sidetrack's topics too
      consumerConfigs.forEach(
          (k, v) -> {
            if (v != null
                && (k.equals(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG)
                    || k.startsWith("sasl.")
                    || k.startsWith("ssl."))) {
              kafka.put(
                  k,
                  v instanceof org.apache.kafka.common.config.types.Password p
                      ? p.value()
                      : v.toString());
            }
          });
    }
    consumerConfigs.forEach(
        (k, v) -> {
          if (k.startsWith(KAFKA_PREFIX) && v != null) {
            kafka.put(k.substring(KAFKA_PREFIX.length()), v.toString());
          }
        });
    Mode mode = Mode.valueOf(((String) values.get(MODE_CONFIG)).toUpperCase(Locale.ROOT));
    String developerId = (String) values.get(DEVELOPER_ID_CONFIG);
    if (mode == Mode.DEVELOPER && (developerId == null || developerId.isBlank())) {
      throw new ConfigException(
          DEVELOPER_ID_CONFIG,
          developerId,
          "required in developer mode (sidetrack.mode=developer)");
    }
    String agentId = (String) values.get(AGENT_ID_CONFIG);
    if (agentId == null || agentId.isBlank()) {
      agentId =
          workload
              + "-kafka-"
              + host()
              + "-"
              + java.util.UUID.randomUUID().toString().substring(0, 6);
    }
    @SuppressWarnings("unchecked")
    List<String> keys = (List<String>) values.get(TRUSTED_ROUTER_KEYS_CONFIG);
    return new InterceptorConfig(
        workload,
        bootstrap,
        ((String) values.get(SCHEMA_REGISTRY_URL_CONFIG)).trim(),
        (String) values.get(TOPIC_PREFIX_CONFIG),
        keys.stream().map(String::trim).filter(s -> !s.isEmpty()).toList(),
        mode,
        developerId,
        Duration.ofMillis((Long) values.get(FIRST_READ_WAIT_MS_CONFIG)),
        Duration.ofMillis((Long) values.get(HEARTBEAT_INTERVAL_MS_CONFIG)),
        agentId,
        kafka);
  }

  private static String host() {
    String h = System.getenv("HOSTNAME");
    if (h == null || h.isBlank()) {
      try {
        h = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException e) {
        h = "host";
      }
    }
    return h.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
  }
}
