package io.sidetrack.schemas.serde;

import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryClients;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes any Confluent-framed Avro record to JSON text, resolving the writer schema by id. For
 * Kafka's console consumer: {@code --formatter-property
 * value.deserializer=io.sidetrack.schemas.serde.AvroJsonDeserializer --formatter-property
 * value.deserializer.schema.registry.url=URL}.
 */
public final class AvroJsonDeserializer implements Deserializer<String> {
  /** The setting naming the registry. */
  public static final String REGISTRY_URL_CONFIG = "schema.registry.url";

  private SchemaRegistryClient registry;
  private final Map<Integer, GenericDatumReader<GenericRecord>> readers = new ConcurrentHashMap<>();

  public AvroJsonDeserializer() {}

  public AvroJsonDeserializer(SchemaRegistryClient registry) {
    this.registry = registry;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    Object url = configs.get(REGISTRY_URL_CONFIG);
    if (url == null) {
      throw new IllegalArgumentException(
          "AvroJsonDeserializer needs " + REGISTRY_URL_CONFIG + " (the registry's URL)");
    }
    registry = SchemaRegistryClients.create(SchemaRegistryConfig.of(url.toString()));
  }

  @Override
  public String deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    int id = AvroSerde.schemaId(topic, data);
    GenericDatumReader<GenericRecord> reader =
        readers.computeIfAbsent(
            id,
            i -> {
              Schema schema = registry.schemaById(i);
              return new GenericDatumReader<>(schema);
            });
    try {
      return reader
          .read(
              null,
              DecoderFactory.get()
                  .binaryDecoder(
                      data, AvroSerde.bodyOffset(), data.length - AvroSerde.bodyOffset(), null))
          .toString();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "record in " + topic + " with schema id " + id + ": " + e, e);
    }
  }
}
