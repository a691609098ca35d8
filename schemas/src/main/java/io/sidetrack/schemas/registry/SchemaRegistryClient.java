package io.sidetrack.schemas.registry;

import org.apache.avro.Schema;

/** The part of the Confluent Schema Registry API that Sidetrack's serdes use. */
public interface SchemaRegistryClient {

  /** Compatibility every Sidetrack subject is given when its first schema is registered. */
  String DEFAULT_COMPATIBILITY = "BACKWARD";

  /**
   * Registers {@code schema} under {@code subject} (a no-op if it is already there) and returns its
   * id.
   *
   * @throws SchemaRegistryException when the registry refuses or cannot be reached
   */
  int register(String subject, Schema schema);

  /**
   * The schema with {@code id}.
   *
   * @throws SchemaRegistryException when there is none or the registry cannot be reached
   */
  Schema schemaById(int id);

  /** Sets the compatibility level of {@code subject}, e.g. {@code BACKWARD}. */
  void setCompatibility(String subject, String level);
}
