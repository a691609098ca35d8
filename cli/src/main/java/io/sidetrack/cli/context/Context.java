package io.sidetrack.cli.context;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Where a running Sidetrack stack listens, as {@code sidetrack up} recorded it in {@code
 * $SIDETRACK_HOME/context.json} so other commands need no flags.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param schemaRegistryUrl Confluent-compatible schema registry URL
 * @param registryStreamUrl registry-stream's query API
 * @param topicPrefix prefix of every topic name
 * @param routerUrl the router developers' CLIs connect to ({@code ""}: none)
 * @param token the local user's bearer token for that router ({@code ""}: none)
 * @param demoUrl where the demo workload takes traffic ({@code ""}: none)
 * @param frontendUrl where the second demo workload, which calls the first, takes traffic ({@code
 *     ""}: none)
 * @param pid process id of {@code sidetrack up}
 * @param startedAt when it started
 * @param routerCa the CA file the router's certificate is signed by, which the CLI trusts besides
 *     the JDK's trust store ({@code ""}: none)
 */
public record Context(
    String bootstrapServers,
    String schemaRegistryUrl,
    String registryStreamUrl,
    String topicPrefix,
    String routerUrl,
    String token,
    String demoUrl,
    String frontendUrl,
    long pid,
    Instant startedAt,
    String routerCa) {
  public Context {
    requireNonNull(bootstrapServers, "bootstrapServers");
    requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
    requireNonNull(registryStreamUrl, "registryStreamUrl");
    requireNonNull(topicPrefix, "topicPrefix");
    requireNonNull(routerUrl, "routerUrl");
    requireNonNull(token, "token");
    requireNonNull(demoUrl, "demoUrl");
    requireNonNull(frontendUrl, "frontendUrl");
    requireNonNull(startedAt, "startedAt");
    requireNonNull(routerCa, "routerCa");
  }
}
