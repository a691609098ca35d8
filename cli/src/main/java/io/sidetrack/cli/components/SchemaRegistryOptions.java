package io.sidetrack.cli.components;

import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a component reaches the schema registry: flags with environment-variable defaults. */
public final class SchemaRegistryOptions {
  @Option(
      names = "--schema-registry-url",
      defaultValue = "${env:SCHEMA_REGISTRY_URL:-http://localhost:8081}",
      description =
          "Confluent-compatible schema registry URL (env SCHEMA_REGISTRY_URL; default"
              + " ${DEFAULT-VALUE}). Apicurio: http://HOST:PORT/apis/ccompat/v7.")
  String url;

  @Option(
      names = "--schema-registry-basic-auth",
      defaultValue = "${env:SCHEMA_REGISTRY_BASIC_AUTH}",
      description = "USER:PASSWORD for HTTP basic auth (env SCHEMA_REGISTRY_BASIC_AUTH).")
  String basicAuth;

  @Option(
      names = "--schema-registry-token",
      defaultValue = "${env:SCHEMA_REGISTRY_TOKEN}",
      description = "Bearer token (env SCHEMA_REGISTRY_TOKEN).")
  String token;

  @Option(
      names = "--schema-registry-truststore",
      defaultValue = "${env:SCHEMA_REGISTRY_TRUSTSTORE}",
      description = "Trust store (PKCS12/JKS) for https (env SCHEMA_REGISTRY_TRUSTSTORE).")
  Path trustStore;

  @Option(
      names = "--schema-registry-truststore-password",
      defaultValue = "${env:SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD}",
      description = "Its password (env SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD).")
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
