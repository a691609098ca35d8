package io.sidetrack.stream;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.Limits;
import io.sidetrack.core.Topics;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything one registry-stream process is configured with. Built by {@link Builder}, which
 * applies the named defaults and rejects bad values with the setting's name.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param schemaRegistry the schema registry
 * @param applicationId Kafka Streams {@code application.id}: instances with one id share the work
 * @param topicPrefix put in front of every topic name
 * @param stateDir where RocksDB stores live
 * @param listenHost HTTP query API host
 * @param listenPort HTTP query API port (0: a free one)
 * @param advertisedHost host other instances reach this one's query API at
 * @param standbyReplicas standby copies of each store on other instances
 * @param processingGuarantee {@code exactly_once_v2} or {@code at_least_once}
 * @param streamThreads Kafka Streams threads
 * @param partitions partitions of topics created at startup
 * @param replicationFactor replication of topics created at startup; -1: the broker's default
 * @param commitInterval how often results are committed (and become visible)
 * @param leaseCheckInterval how often expired leases are looked for
 * @param limits bounds registrations must respect
 * @param kafkaProperties extra Kafka client properties (security, tuning)
 * @param trustedRouters the routers' public keys whose signatures registrations must carry; empty:
 *     registrations are taken unverified
 */
public record RegistryStreamConfig(
    String bootstrapServers,
    SchemaRegistryConfig schemaRegistry,
    String applicationId,
    String topicPrefix,
    Path stateDir,
    String listenHost,
    int listenPort,
    String advertisedHost,
    int standbyReplicas,
    String processingGuarantee,
    int streamThreads,
    int partitions,
    int replicationFactor,
    Duration commitInterval,
    Duration leaseCheckInterval,
    Limits limits,
    Map<String, String> kafkaProperties,
    Optional<TrustedKeys> trustedRouters) {

  public static final String DEFAULT_APPLICATION_ID = "sidetrack-registry-stream";
  public static final String DEFAULT_LISTEN_HOST = "0.0.0.0";
  public static final int DEFAULT_LISTEN_PORT = 8090;
  public static final String DEFAULT_PROCESSING_GUARANTEE = "exactly_once_v2";
  public static final int DEFAULT_PARTITIONS = 12;
  public static final int DEFAULT_REPLICATION_FACTOR = -1;
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(20);

  /** The default topic prefix: none. */
  public static final String DEFAULT_TOPIC_PREFIX = "";

  public static final int DEFAULT_STANDBY_REPLICAS = 0;
  public static final int DEFAULT_STREAM_THREADS = 1;

  /** Where the state stores live by default: under the JVM's temporary directory. */
  public static final Path DEFAULT_STATE_DIR =
      Path.of(System.getProperty("java.io.tmpdir"), "sidetrack", "registry-stream");

  private static final Set<String> GUARANTEES = Set.of("exactly_once_v2", "at_least_once");

  public RegistryStreamConfig {
    requireNonNull(bootstrapServers, "bootstrapServers");
    requireNonNull(schemaRegistry, "schemaRegistry");
    requireNonNull(applicationId, "applicationId");
    requireNonNull(topicPrefix, "topicPrefix");
    requireNonNull(stateDir, "stateDir");
    requireNonNull(listenHost, "listenHost");
    requireNonNull(advertisedHost, "advertisedHost");
    requireNonNull(processingGuarantee, "processingGuarantee");
    requireNonNull(commitInterval, "commitInterval");
    requireNonNull(leaseCheckInterval, "leaseCheckInterval");
    requireNonNull(limits, "limits");
    kafkaProperties = Map.copyOf(requireNonNull(kafkaProperties, "kafkaProperties"));
    requireNonNull(trustedRouters, "trustedRouters");
    if (bootstrapServers.isBlank()) {
      throw new ConfigException(
          "--bootstrap-servers (KAFKA_BOOTSTRAP_SERVERS)", bootstrapServers, "host:port,...");
    }
    if (!applicationId.matches("[A-Za-z0-9._-]{1,200}")) {
      throw new ConfigException(
          "--application-id (SIDETRACK_APPLICATION_ID)",
          applicationId,
          "letters, digits, '.', '_' or '-'");
    }
    if (!topicPrefix.matches("[A-Za-z0-9._-]{0,100}")) {
      throw new ConfigException(
          "--topic-prefix (SIDETRACK_TOPIC_PREFIX)",
          topicPrefix,
          "letters, digits, '.', '_' or '-'");
    }
    if (listenPort < 0 || listenPort > 65535) {
      throw new ConfigException("--listen (SIDETRACK_LISTEN) port", listenPort, "0-65535");
    }
    if (standbyReplicas < 0) {
      throw new ConfigException(
          "--standby-replicas (SIDETRACK_STANDBY_REPLICAS)", standbyReplicas, "0 or more");
    }
    if (!GUARANTEES.contains(processingGuarantee)) {
      throw new ConfigException(
          "--processing-guarantee (SIDETRACK_PROCESSING_GUARANTEE)",
          processingGuarantee,
          "exactly_once_v2 or at_least_once");
    }
    if (streamThreads < 1) {
      throw new ConfigException(
          "--stream-threads (SIDETRACK_STREAM_THREADS)", streamThreads, "1 or more");
    }
    if (partitions < 1) {
      throw new ConfigException("--partitions (SIDETRACK_PARTITIONS)", partitions, "1 or more");
    }
    if (replicationFactor == 0 || replicationFactor < -1) {
      throw new ConfigException(
          "--replication-factor (SIDETRACK_REPLICATION_FACTOR)",
          replicationFactor,
          "1 or more, or -1 for the broker's default");
    }
    if (commitInterval.isNegative() || commitInterval.isZero()) {
      throw new ConfigException(
          "--commit-interval (SIDETRACK_COMMIT_INTERVAL)", commitInterval, "a positive duration");
    }
    if (leaseCheckInterval.isNegative() || leaseCheckInterval.isZero()) {
      throw new ConfigException(
          "--lease-check-interval (SIDETRACK_LEASE_CHECK_INTERVAL)",
          leaseCheckInterval,
          "a positive duration");
    }
  }

  /** The topic names with this deployment's prefix. */
  public Topics.Names topics() {
    return Topics.DEFAULT.withPrefix(topicPrefix);
  }

  /** A builder holding the defaults. */
  public static Builder builder(String bootstrapServers, SchemaRegistryConfig schemaRegistry) {
    return new Builder(bootstrapServers, schemaRegistry);
  }

  /** Collects settings; {@link #build()} validates them. */
  public static final class Builder {
    private final String bootstrapServers;
    private final SchemaRegistryConfig schemaRegistry;
    private String applicationId = DEFAULT_APPLICATION_ID;
    private String topicPrefix = DEFAULT_TOPIC_PREFIX;
    private Path stateDir = DEFAULT_STATE_DIR;
    private String listenHost = DEFAULT_LISTEN_HOST;
    private int listenPort = DEFAULT_LISTEN_PORT;
    private String advertisedHost;
    private int standbyReplicas = DEFAULT_STANDBY_REPLICAS;
    private String processingGuarantee = DEFAULT_PROCESSING_GUARANTEE;
    private int streamThreads = DEFAULT_STREAM_THREADS;
    private int partitions = DEFAULT_PARTITIONS;
    private int replicationFactor = DEFAULT_REPLICATION_FACTOR;
    private Duration commitInterval = DEFAULT_COMMIT_INTERVAL;
    private Duration leaseCheckInterval = TopologySettings.DEFAULT_LEASE_CHECK_INTERVAL;
    private Limits limits = Limits.DEFAULTS;
    private Map<String, String> kafkaProperties = Map.of();
    private Optional<TrustedKeys> trustedRouters = Optional.empty();

    private Builder(String bootstrapServers, SchemaRegistryConfig schemaRegistry) {
      this.bootstrapServers = bootstrapServers;
      this.schemaRegistry = schemaRegistry;
    }

    public Builder applicationId(String v) {
      applicationId = v;
      return this;
    }

    public Builder topicPrefix(String v) {
      topicPrefix = v;
      return this;
    }

    public Builder stateDir(Path v) {
      stateDir = v;
      return this;
    }

    public Builder listen(String host, int port) {
      listenHost = host;
      listenPort = port;
      return this;
    }

    public Builder advertisedHost(String v) {
      advertisedHost = v;
      return this;
    }

    public Builder standbyReplicas(int v) {
      standbyReplicas = v;
      return this;
    }

    public Builder processingGuarantee(String v) {
      processingGuarantee = v;
      return this;
    }

    public Builder streamThreads(int v) {
      streamThreads = v;
      return this;
    }

    public Builder partitions(int v) {
      partitions = v;
      return this;
    }

    public Builder replicationFactor(int v) {
      replicationFactor = v;
      return this;
    }

    public Builder commitInterval(Duration v) {
      commitInterval = v;
      return this;
    }

    public Builder leaseCheckInterval(Duration v) {
      leaseCheckInterval = v;
      return this;
    }

    public Builder limits(Limits v) {
      limits = v;
      return this;
    }

    public Builder kafkaProperties(Map<String, String> v) {
      kafkaProperties = v;
      return this;
    }

    /** Rejects every registration none of {@code v} signed. */
    public Builder trustedRouters(TrustedKeys v) {
      trustedRouters = Optional.of(requireNonNull(v, "trustedRouters"));
      return this;
    }

    public RegistryStreamConfig build() {
      String advertised = advertisedHost;
      if (advertised == null || advertised.isBlank()) {
        advertised = "0.0.0.0".equals(listenHost) ? "127.0.0.1" : listenHost;
      }
      return new RegistryStreamConfig(
          bootstrapServers,
          schemaRegistry,
          applicationId,
          topicPrefix,
          stateDir,
          listenHost,
          listenPort,
          advertised,
          standbyReplicas,
          processingGuarantee,
          streamThreads,
          partitions,
          replicationFactor,
          commitInterval,
          leaseCheckInterval,
          limits,
          kafkaProperties,
          trustedRouters);
    }
  }
}
