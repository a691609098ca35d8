package io.sidetrack.cli.components;

import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.cli.options.HostPort;
import io.sidetrack.cli.options.TopicOptions;
import io.sidetrack.core.Limits;
import io.sidetrack.stream.RegistryStreamApp;
import io.sidetrack.stream.RegistryStreamConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
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

  @EnvVar
  @Option(
      names = "--application-id",
      defaultValue = RegistryStreamConfig.DEFAULT_APPLICATION_ID,
      description = "Kafka Streams application.id; instances with one id share the work.")
  String applicationId;

  @Mixin TopicOptions topics;

  @Mixin TrustedRouterKeysOptions trustedRouters;

  @EnvVar
  @Option(
      names = "--state-dir",
      description = "Where the state stores live (default TMPDIR/sidetrack).")
  Path stateDir;

  @EnvVar
  @Option(
      names = "--listen",
      defaultValue = "0.0.0.0:8090",
      description = "HOST:PORT of the query API.")
  HostPort listen;

  @EnvVar
  @Option(
      names = "--advertised-host",
      description =
          "Host other instances reach this one's query API at, e.g. the pod IP (default the"
              + " listen host, or 127.0.0.1).")
  String advertisedHost;

  @EnvVar
  @Option(
      names = "--standby-replicas",
      defaultValue = "0",
      description = "Standby copies of each store.")
  int standbyReplicas;

  @EnvVar
  @Option(
      names = "--processing-guarantee",
      defaultValue = "exactly_once_v2",
      description = "exactly_once_v2 or at_least_once.")
  String processingGuarantee;

  @EnvVar
  @Option(names = "--stream-threads", defaultValue = "1", description = "Kafka Streams threads.")
  int streamThreads;

  @EnvVar
  @Option(
      names = "--partitions",
      defaultValue = "12",
      description = "Partitions of the topics created at startup.")
  int partitions;

  @EnvVar
  @Option(
      names = "--replication-factor",
      defaultValue = "-1",
      description = "Replication of the topics created at startup; -1 takes the broker's default.")
  int replicationFactor;

  @EnvVar
  @Option(
      names = "--commit-interval",
      defaultValue = "20ms",
      description = "How often results are committed and become visible.")
  Duration commitInterval;

  @EnvVar
  @Option(
      names = "--lease-check-interval",
      defaultValue = "1s",
      description = "How often expired leases are looked for.")
  Duration leaseCheckInterval;

  @EnvVar
  @Option(
      names = "--max-ttl",
      defaultValue = "1h",
      description = "Longest lease a registration may ask for.")
  Duration maxTtl;

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
    RegistryStreamConfig.Builder builder =
        RegistryStreamConfig.builder(kafka.bootstrapServers(), schemaRegistry.toConfig())
            .applicationId(applicationId)
            .topicPrefix(topics.prefix())
            .listen(listen.host(), listen.port())
            .advertisedHost(advertisedHost)
            .standbyReplicas(standbyReplicas)
            .processingGuarantee(processingGuarantee)
            .streamThreads(streamThreads)
            .partitions(partitions)
            .replicationFactor(replicationFactor)
            .commitInterval(commitInterval)
            .leaseCheckInterval(leaseCheckInterval)
            .limits(
                new Limits(Limits.DEFAULT_MAX_CONDITIONS, Limits.DEFAULT_MAX_VALUE_LENGTH, maxTtl))
            .kafkaProperties(kafka.properties());
    if (stateDir != null) {
      builder.stateDir(stateDir);
    }
    trustedRouters.trusted().ifPresent(builder::trustedRouters);
    return builder.build();
  }
}
