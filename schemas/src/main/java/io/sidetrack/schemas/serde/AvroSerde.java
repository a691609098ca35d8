package io.sidetrack.schemas.serde;

import static java.util.Objects.requireNonNull;

import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde of a generated Avro class, for record values, in the Confluent wire format: magic byte 0,
 * the writer schema's 4-byte registry id (big-endian), then the Avro binary body. Writes register
 * the class's schema under {@code <topic>-value} with BACKWARD compatibility; reads resolve the
 * writer's schema by id against the class's schema, so old and new records both read.
 */
public final class AvroSerde<T extends SpecificRecord>
    implements Serde<T>, Serializer<T>, Deserializer<T> {
  /** First byte of every Confluent-framed record. */
  public static final byte MAGIC_BYTE = 0;

  private static final int HEADER_LENGTH = 5;

  static {
    // Avro 1.12 resolves schema names to classes only for trusted classes: trust our own.
    ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(
            previous,
            c -> c.getName().startsWith(InterceptRegistration.class.getPackageName() + ".")));
  }

  private final SchemaRegistryClient registry;
  private final Class<T> type;
  private final Schema schema;
  private final SpecificData model;
  private final SpecificDatumWriter<T> writer;
  private final Map<String, Integer> idsBySubject = new ConcurrentHashMap<>();
  private final Map<Integer, DatumReader<T>> readersById = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> writerSchemas = new ConcurrentHashMap<>();

  private AvroSerde(SchemaRegistryClient registry, Class<T> type) {
    this.registry = requireNonNull(registry, "registry");
    this.type = requireNonNull(type, "type");
    this.model = SpecificData.getForClass(type);
    this.schema = model.getSchema(type);
    this.writer = new SpecificDatumWriter<>(schema, model);
  }

  /** A serde for record values of {@code type}. */
  public static <T extends SpecificRecord> AvroSerde<T> forValues(
      SchemaRegistryClient registry, Class<T> type) {
    return new AvroSerde<>(registry, type);
  }

  /** The schema this serde writes and reads into. */
  public Schema schema() {
    return schema;
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    int id = idsBySubject.computeIfAbsent(subject(topic), this::registerSchema);
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    out.write(MAGIC_BYTE);
    out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    try {
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      writer.write(data, encoder);
      encoder.flush();
    } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
      throw new SerializationException(
          "cannot write " + type.getSimpleName() + " to " + topic + ": " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  private int registerSchema(String subject) {
    int id = registry.register(subject, schema);
    registry.setCompatibility(subject, SchemaRegistryClient.DEFAULT_COMPATIBILITY);
    return id;
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    int id = schemaId(topic, data);
    DatumReader<T> reader;
    try {
      reader = readersById.computeIfAbsent(id, this::readerFor);
    } catch (SchemaRegistryException e) {
      throw new SerializationException(
          "record in " + topic + " has writer schema id " + id + ": " + e.getMessage(), e);
    }
    try {
      BinaryDecoder decoder =
          DecoderFactory.get()
              .binaryDecoder(data, HEADER_LENGTH, data.length - HEADER_LENGTH, null);
      return reader.read(null, decoder);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "record in "
              + topic
              + " with schema id "
              + id
              + " is not a valid "
              + type.getSimpleName()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * The writer schema id of a Confluent-framed record.
   *
   * @throws SerializationException when {@code data} is not in that format
   */
  public static int schemaId(String topic, byte[] data) {
    if (data.length < HEADER_LENGTH || data[0] != MAGIC_BYTE) {
      throw new SerializationException(
          "record in "
              + topic
              + " is not in the Confluent wire format (magic byte 0 and a schema id expected)");
    }
    return ByteBuffer.wrap(data, 1, 4).getInt();
  }

  /** Where the Avro body of a Confluent-framed record starts. */
  public static int bodyOffset() {
    return HEADER_LENGTH;
  }

  /**
   * The schema {@code data}, a Confluent-framed record, was written with (looked up once per id).
   *
   * @throws SerializationException when it is not in that format, or the registry does not know or
   *     cannot be asked for its schema id
   */
  public Schema writerSchema(String topic, byte[] data) {
    int id = schemaId(topic, data);
    try {
      return writerSchemas.computeIfAbsent(id, registry::schemaById);
    } catch (SchemaRegistryException e) {
      throw new SerializationException(
          "record in " + topic + " has writer schema id " + id + ": " + e.getMessage(), e);
    }
  }

  private DatumReader<T> readerFor(int id) {
    Schema writerSchema = registry.schemaById(id);
    return new SpecificDatumReader<>(writerSchema, schema, model);
  }

  private String subject(String topic) {
    return topic + "-value";
  }

  @Override
  public Serializer<T> serializer() {
    return this;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    // configured at construction
  }

  @Override
  public void close() {
    // the registry client is shared and owned by the caller
  }
}
