package io.sidetrack.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One Kafka cluster and one schema registry per JVM, for integration tests: an external cluster
 * when {@code KAFKA_BOOTSTRAP_SERVERS} is set (and an external registry when {@code
 * SCHEMA_REGISTRY_URL} is), else the embedded ones, started on first use and stopped when the JVM
 * exits.
 */
public final class SharedInfrastructure {
  public static final String KAFKA_ENV = "KAFKA_BOOTSTRAP_SERVERS";
  public static final String REGISTRY_ENV = "SCHEMA_REGISTRY_URL";

  private static String bootstrapServers;
  private static String registryUrl;

  private SharedInfrastructure() {}

  /** Bootstrap servers of the shared cluster. */
  public static synchronized String kafka() {
    if (bootstrapServers == null) {
      String external = System.getenv(KAFKA_ENV);
      if (external != null && !external.isBlank()) {
        bootstrapServers = external;
      } else {
        try {
          EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
          Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "stop-kafka"));
          bootstrapServers = kafka.bootstrapServers();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return bootstrapServers;
  }

  /** Confluent-compatible URL of the shared schema registry. */
  public static synchronized String schemaRegistry() {
    if (registryUrl == null) {
      String external = System.getenv(REGISTRY_ENV);
      if (external != null && !external.isBlank()) {
        registryUrl = external;
      } else {
        try {
          Path log = Files.createTempFile("sidetrack-registry-", ".log");
          EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(log, 0);
          Runtime.getRuntime().addShutdownHook(new Thread(registry::close, "stop-registry"));
          registryUrl = registry.url();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return registryUrl;
  }
}
