package io.sidetrack.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * A schema registry held in memory, for {@code TopologyTestDriver} tests that have no registry
 * process (selected by a {@code mock://} URL). It assigns ids and checks BACKWARD compatibility as
 * a real registry would; real runs and integration tests use a real registry.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {
  private final Map<Integer, Schema> byId = new HashMap<>();
  private final Map<String, List<Integer>> bySubject = new HashMap<>();
  private final Map<String, String> compatibility = new HashMap<>();

  @Override
  public synchronized int register(String subject, Schema schema) {
    List<Integer> versions = bySubject.computeIfAbsent(subject, s -> new ArrayList<>());
    for (int id : versions) {
      if (byId.get(id).equals(schema)) {
        return id;
      }
    }
    if (!versions.isEmpty()
        && !"NONE".equals(compatibility.getOrDefault(subject, DEFAULT_COMPATIBILITY))) {
      Schema latest = byId.get(versions.get(versions.size() - 1));
      var result = SchemaCompatibility.checkReaderWriterCompatibility(schema, latest);
      if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
        throw new SchemaRegistryException(
            "schema for subject " + subject + " is not BACKWARD compatible", 409);
      }
    }
    int id =
        byId.entrySet().stream()
            .filter(e -> e.getValue().equals(schema))
            .map(Map.Entry::getKey)
            .findFirst()
            .orElse(byId.size() + 1);
    byId.put(id, schema);
    versions.add(id);
    return id;
  }

  @Override
  public synchronized Schema schemaById(int id) {
    Schema schema = byId.get(id);
    if (schema == null) {
      throw new SchemaRegistryException("no schema with id " + id, 404);
    }
    return schema;
  }

  @Override
  public synchronized void setCompatibility(String subject, String level) {
    compatibility.put(subject, level);
  }
}
