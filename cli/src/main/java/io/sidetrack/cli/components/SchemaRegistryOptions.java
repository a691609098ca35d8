package io.sidetrack.cli.components;

import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a component reaches the schema registry: flags with environment-variable defaults. */
public final class SchemaRegistryOptions {
  @EnvVar("SCHEMA_REGISTRY_URL")
  @Option(
      names = "--schema-registry-url",
      defaultValue = "http://localhost:8081",
      description =
          "Confluent-compatible schema registry URL. Apicurio: http://HOST:PORT/apis/ccompat/v7.")
  String url;

  @EnvVar("SCHEMA_REGISTRY_BASIC_AUTH")
  @Option(
      names = "--schema-registry-basic-auth",
      description = "USER:PASSWORD for HTTP basic auth.")
  String basicAuth;

  @EnvVar("SCHEMA_REGISTRY_TOKEN")
  @Option(names = "--schema-registry-token", description = "Bearer token.")
  String token;

  @EnvVar("SCHEMA_REGISTRY_TRUSTSTORE")
  @Option(
      names = "--schema-registry-truststore",
      description = "Trust store (PKCS12/JKS) for https.")
  Path trustStore;

  @EnvVar("SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD")
  @Option(names = "--schema-registry-truststore-password", description = "Its password.")
  String trustStorePassword;

  /** The configuration these options describe. */
  public SchemaRegistryConfig toConfig() {
    return new SchemaRegistryConfig(
        url,
        blankToNull(basicAuth),
        blankToNull(token),
        trustStore,
        blankToNull(trustStorePassword),
        SchemaRegistryConfig.DEFAULT_TIMEOUT);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
