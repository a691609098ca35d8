package io.sidetrack.cli.context;

import io.sidetrack.core.Topics;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryClients;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import java.io.IOException;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where a client command finds Sidetrack: flags, else environment variables, else the context
 * {@code sidetrack up} recorded.
 */
public final class Connection {
  @Option(
      names = "--bootstrap-servers",
      defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS}",
      description =
          "Kafka bootstrap servers (env KAFKA_BOOTSTRAP_SERVERS; default from context.json).")
  String bootstrapServers;

  @Option(
      names = "--schema-registry-url",
      defaultValue = "${env:SCHEMA_REGISTRY_URL}",
      description = "Schema registry URL (env SCHEMA_REGISTRY_URL; default from context.json).")
  String schemaRegistryUrl;

  @Option(
      names = "--api-url",
      defaultValue = "${env:SIDETRACK_API_URL}",
      description =
          "registry-stream query API URL (env SIDETRACK_API_URL; default from context.json).")
  String apiUrl;

  @Option(
      names = "--topic-prefix",
      defaultValue = "${env:SIDETRACK_TOPIC_PREFIX}",
      description =
          "Prefix of every topic name (env SIDETRACK_TOPIC_PREFIX; default from context.json).")
  String topicPrefix;

  private Optional<Context> context;

  private Optional<Context> context() {
    if (context == null) {
      try {
        context = ContextFile.read(ContextFile.home());
      } catch (IOException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    }
    return context;
  }

  private String resolve(
      String flagValue, String flag, java.util.function.Function<Context, String> fromContext) {
    if (flagValue != null && !flagValue.isBlank()) {
      return flagValue;
    }
    return context()
        .map(fromContext)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no "
                        + flag
                        + " given and no running 'sidetrack up' ("
                        + ContextFile.path(ContextFile.home())
                        + " is missing): start it or pass "
                        + flag));
  }

  public String bootstrapServers() {
    return resolve(bootstrapServers, "--bootstrap-servers", Context::bootstrapServers);
  }

  public String schemaRegistryUrl() {
    return resolve(schemaRegistryUrl, "--schema-registry-url", Context::schemaRegistryUrl);
  }

  /** A client of the schema registry. */
  public SchemaRegistryClient schemaRegistryClient() {
    return SchemaRegistryClients.create(SchemaRegistryConfig.of(schemaRegistryUrl()));
  }

  public String apiUrl() {
    return resolve(apiUrl, "--api-url", Context::registryStreamUrl);
  }

  public Topics.Names topics() {
    String prefix =
        topicPrefix != null ? topicPrefix : context().map(Context::topicPrefix).orElse("");
    return Topics.DEFAULT.withPrefix(prefix);
  }
}
