package io.sidetrack.schemas.registry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Creates the schema registry client a configuration asks for. */
public final class SchemaRegistryClients {
  private static final Map<String, InMemorySchemaRegistryClient> IN_MEMORY =
      new ConcurrentHashMap<>();

  private SchemaRegistryClients() {}

  /**
   * A caching HTTP client for {@code http(s)://} URLs; for {@code mock://name} the in-memory
   * registry of that name, shared within this JVM.
   */
  public static SchemaRegistryClient create(SchemaRegistryConfig config) {
    if (config.url().startsWith("mock://")) {
      return IN_MEMORY.computeIfAbsent(config.url(), u -> new InMemorySchemaRegistryClient());
    }
    return new HttpSchemaRegistryClient(config);
  }
}
