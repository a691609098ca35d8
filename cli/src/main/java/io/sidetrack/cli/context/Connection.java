package io.sidetrack.cli.context;

import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.cli.options.KafkaConfigFile;
import io.sidetrack.cli.options.TopicOptions;
import io.sidetrack.core.Topics;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryClients;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where a client command finds Sidetrack: flags, else environment variables, else the context
 * {@code sidetrack up} recorded.
 */
public final class Connection {
  @EnvVar("KAFKA_BOOTSTRAP_SERVERS")
  @Option(
      names = "--bootstrap-servers",
      description = "Kafka bootstrap servers (default from context.json).")
  String bootstrapServers;

  @EnvVar("SCHEMA_REGISTRY_URL")
  @Option(
      names = "--schema-registry-url",
      description = "Schema registry URL (default from context.json).")
  String schemaRegistryUrl;

  @EnvVar
  @Option(
      names = "--api-url",
      description = "registry-stream query API URL (default from context.json).")
  String apiUrl;

  @EnvVar
  @Option(
      names = "--kafka-config",
      description =
          "Properties file of extra Kafka client settings, e.g. security (SASL, TLS) for this"
              + " command's principal.")
  Path kafkaConfig;

  @Mixin TopicOptions topicOptions;

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

  /** The extra client settings of {@code --kafka-config}, none when it is not given. */
  public Map<String, String> kafkaProperties() {
    try {
      return KafkaConfigFile.read(kafkaConfig);
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  public Topics.Names topics() {
    String prefix =
        topicOptions.given().orElseGet(() -> context().map(Context::topicPrefix).orElse(""));
    return Topics.DEFAULT.withPrefix(prefix);
  }
}
