package io.sidetrack.cli.components;

import io.sidetrack.core.Durations;
import io.sidetrack.core.Limits;
import io.sidetrack.stream.RegistryStreamApp;
import io.sidetrack.stream.RegistryStreamConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sidetrack registry-stream}: runs registry-stream against a Kafka cluster. */
@Command(
    name = RegistryStreamCommand.NAME,
    mixinStandardHelpOptions = true,
    description = {
      "Run registry-stream: decides intercept registrations per workload and publishes route"
          + " entries and audit events; serves the query API.",
      "Every flag has an environment variable; flags win."
    })
public final class RegistryStreamCommand implements Callable<Integer> {
  public static final String NAME = "registry-stream";

  @Mixin KafkaOptions kafka;

  @Mixin SchemaRegistryOptions schemaRegistry;

  @Option(
      names = "--application-id",
      defaultValue =
          "${env:SIDETRACK_APPLICATION_ID:-" + RegistryStreamConfig.DEFAULT_APPLICATION_ID + "}",
      description =
          "Kafka Streams application.id; instances with one id share the work (env"
              + " SIDETRACK_APPLICATION_ID; default ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(
      names = "--topic-prefix",
      defaultValue = "${env:SIDETRACK_TOPIC_PREFIX:-}",
      description = "Put in front of every topic name (env SIDETRACK_TOPIC_PREFIX; default none).")
  String topicPrefix;

  @Option(
      names = "--state-dir",
      defaultValue = "${env:SIDETRACK_STATE_DIR}",
      description =
          "Where the state stores live (env SIDETRACK_STATE_DIR; default TMPDIR/sidetrack).")
  Path stateDir;

  @Option(
      names = "--listen",
      defaultValue = "${env:SIDETRACK_LISTEN:-0.0.0.0:8090}",
      description = "HOST:PORT of the query API (env SIDETRACK_LISTEN; default ${DEFAULT-VALUE}).")
  String listen;

  @Option(
      names = "--advertised-host",
      defaultValue = "${env:SIDETRACK_ADVERTISED_HOST}",
      description =
          "Host other instances reach this one's query API at, e.g. the pod IP (env"
              + " SIDETRACK_ADVERTISED_HOST; default the listen host, or 127.0.0.1).")
  String advertisedHost;

  @Option(
      names = "--standby-replicas",
      defaultValue = "${env:SIDETRACK_STANDBY_REPLICAS:-0}",
      description =
          "Standby copies of each store (env SIDETRACK_STANDBY_REPLICAS; default ${DEFAULT-VALUE}).")
  int standbyReplicas;

  @Option(
      names = "--processing-guarantee",
      defaultValue = "${env:SIDETRACK_PROCESSING_GUARANTEE:-exactly_once_v2}",
      description =
          "exactly_once_v2 or at_least_once (env SIDETRACK_PROCESSING_GUARANTEE; default"
              + " ${DEFAULT-VALUE}).")
  String processingGuarantee;

  @Option(
      names = "--stream-threads",
      defaultValue = "${env:SIDETRACK_STREAM_THREADS:-1}",
      description =
          "Kafka Streams threads (env SIDETRACK_STREAM_THREADS; default ${DEFAULT-VALUE}).")
  int streamThreads;

  @Option(
      names = "--partitions",
      defaultValue = "${env:SIDETRACK_PARTITIONS:-12}",
      description =
          "Partitions of the topics created at startup (env SIDETRACK_PARTITIONS; default"
              + " ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--replication-factor",
      defaultValue = "${env:SIDETRACK_REPLICATION_FACTOR:--1}",
      description =
          "Replication of the topics created at startup; -1 takes the broker's default (env"
              + " SIDETRACK_REPLICATION_FACTOR; default ${DEFAULT-VALUE}).")
  int replicationFactor;

  @Option(
      names = "--commit-interval",
      defaultValue = "${env:SIDETRACK_COMMIT_INTERVAL:-20ms}",
      description =
          "How often results are committed and become visible (env SIDETRACK_COMMIT_INTERVAL;"
              + " default ${DEFAULT-VALUE}).")
  String commitInterval;

  @Option(
      names = "--lease-check-interval",
      defaultValue = "${env:SIDETRACK_LEASE_CHECK_INTERVAL:-1s}",
      description =
          "How often expired leases are looked for (env SIDETRACK_LEASE_CHECK_INTERVAL; default"
              + " ${DEFAULT-VALUE}).")
  String leaseCheckInterval;

  @Option(
      names = "--max-ttl",
      defaultValue = "${env:SIDETRACK_MAX_TTL:-1h}",
      description =
          "Longest lease a registration may ask for (env SIDETRACK_MAX_TTL; default ${DEFAULT-VALUE}).")
  String maxTtl;

  @Override
  public Integer call() throws Exception {
    RegistryStreamConfig config = toConfig();
    RegistryStreamApp app = RegistryStreamApp.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stopped.countDown();
                },
                "stop-registry-stream"));
    stopped.await();
    return 0;
  }

  RegistryStreamConfig toConfig() throws IOException {
    HostPort hp = HostPort.parse("--listen (SIDETRACK_LISTEN)", listen);
    RegistryStreamConfig.Builder builder =
        RegistryStreamConfig.builder(kafka.bootstrapServers(), schemaRegistry.toConfig())
            .applicationId(applicationId)
            .topicPrefix(topicPrefix == null ? "" : topicPrefix)
            .listen(hp.host(), hp.port())
            .advertisedHost(advertisedHost)
            .standbyReplicas(standbyReplicas)
            .processingGuarantee(processingGuarantee)
            .streamThreads(streamThreads)
            .partitions(partitions)
            .replicationFactor(replicationFactor)
            .commitInterval(duration("--commit-interval", commitInterval))
            .leaseCheckInterval(duration("--lease-check-interval", leaseCheckInterval))
            .limits(
                new Limits(
                    Limits.DEFAULT_MAX_CONDITIONS,
                    Limits.DEFAULT_MAX_VALUE_LENGTH,
                    duration("--max-ttl", maxTtl)))
            .kafkaProperties(kafka.properties());
    if (stateDir != null) {
      builder.stateDir(stateDir);
    }
    return builder.build();
  }

  static java.time.Duration duration(String flag, String value) {
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid " + flag + ": " + e.getMessage(), e);
    }
  }
}
