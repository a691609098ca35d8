package io.sidetrack.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.SharedStrings;
import io.sidetrack.schemas.avro.AgentHeartbeat;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.InMemorySchemaRegistryClient;
import io.sidetrack.testkit.Bounded;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Properties of {@link AvroSerde} reading each topic's records: generated records of every schema
 * round trip byte for byte; arbitrary, mutated and lying bytes (an Avro length or item count far
 * beyond the record) give a {@link SerializationException}, the serde's one error for bad input,
 * never another exception, an {@link OutOfMemoryError} or a large allocation, and never hang. The
 * records read map to the core model ({@link AvroMapping}).
 *
 * <p>The registry is the module's {@link InMemorySchemaRegistryClient}. Tries per property come
 * from the subclass: {@link AvroSerdeFuzzTest} in every build, {@link AvroSerdeFuzzSlowTest} with
 * many more in the slow profile. Seeds are fixed.
 */
abstract class AvroSerdeProperties {
  /** The most a decode may allocate beyond a small multiple of its input. */
  static final long ALLOCATION_ALLOWANCE = 4L * 1024 * 1024;

  /** A topic's record type, with its serde and the id its schema has in the registry. */
  record Topic(String name, AvroSerde<? extends SpecificRecord> serde, int id) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final List<Topic> TOPICS = topics();

  private static List<Topic> topics() {
    InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    List<Topic> out = new ArrayList<>();
    for (Class<? extends SpecificRecord> type :
        List.of(
            InterceptRegistration.class,
            RouteEntry.class,
            AgentHeartbeat.class,
            AuditEvent.class)) {
      AvroSerde<? extends SpecificRecord> serde = AvroSerde.forValues(registry, type);
      String topic = "fuzz." + type.getSimpleName();
      Topic t = new Topic(topic, serde, registry.register(topic + "-value", serde.schema()));
      // the first read of a schema id builds its reader, the first refusal loads its classes: not
      // what a record costs to read
      serde.deserialize(topic, framed(t, valueOf(serde.schema()).sample()));
      try {
        serde.deserialize(topic, new byte[] {AvroSerde.MAGIC_BYTE, 0, 0, 0, (byte) t.id(), 7});
      } catch (SerializationException expected) {
        // refused
      }
      out.add(t);
    }
    return List.copyOf(out);
  }

  // ---- generated records ------------------------------------------------------------------------

  /** A value of {@code schema} in Avro's generic form (logical types as their underlying type). */
  static Arbitrary<Object> valueOf(Schema schema) {
    return switch (schema.getType()) {
      case RECORD -> {
        List<Arbitrary<Object>> fields = new ArrayList<>();
        schema.getFields().forEach(f -> fields.add(valueOf(f.schema())));
        yield Combinators.combine(fields)
            .as(
                values -> {
                  GenericData.Record r = new GenericData.Record(schema);
                  for (int i = 0; i < values.size(); i++) {
                    r.put(i, values.get(i));
                  }
                  return (Object) r;
                });
      }
      case STRING -> text(30).map(s -> (Object) s);
      case BYTES ->
          Arbitraries.bytes()
              .array(byte[].class)
              .ofMaxSize(80)
              .map(b -> (Object) ByteBuffer.wrap(b));
      case INT -> Arbitraries.integers().map(i -> (Object) i);
      case LONG -> Arbitraries.longs().map(l -> (Object) l);
      case BOOLEAN -> Arbitraries.of(true, false).map(b -> (Object) b);
      case NULL -> Arbitraries.just(null);
      case ENUM ->
          Arbitraries.of(schema.getEnumSymbols())
              .map(s -> (Object) new GenericData.EnumSymbol(schema, s));
      case ARRAY -> valueOf(schema.getElementType()).list().ofMaxSize(3).map(l -> (Object) l);
      case MAP ->
          Arbitraries.maps(text(10), valueOf(schema.getValueType()))
              .ofMaxSize(3)
              .map(m -> (Object) new HashMap<>(m));
      case UNION -> {
        List<Arbitrary<Object>> branches = new ArrayList<>();
        schema.getTypes().forEach(t -> branches.add(valueOf(t)));
        yield Arbitraries.oneOf(branches);
      }
      default -> throw new IllegalArgumentException("no generator for " + schema.getType());
    };
  }

  /** Any text UTF-8 carries: no lone surrogates, which no encoder writes. */
  static Arbitrary<String> text(int maxLength) {
    return Arbitraries.oneOf(
        Arbitraries.strings().ascii().ofMaxLength(maxLength),
        Arbitraries.strings()
            .withCharRange('\u0000', '\uD7FF')
            .withCharRange('\uE000', '\uFFFF')
            .ofMaxLength(maxLength));
  }

  /** A record of one of the topics, as a Confluent-framed message written by Avro itself. */
  record Framed(Topic topic, Object value, byte[] bytes) {
    @Override
    public String toString() {
      return topic + " " + java.util.HexFormat.of().formatHex(bytes);
    }
  }

  @Provide
  Arbitrary<Framed> records() {
    return Arbitraries.of(TOPICS)
        .flatMap(t -> valueOf(t.serde().schema()).map(v -> new Framed(t, v, framed(t, v))));
  }

  static byte[] framed(Topic topic, Object record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(AvroSerde.MAGIC_BYTE);
    out.writeBytes(ByteBuffer.allocate(4).putInt(topic.id()).array());
    try {
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      new GenericDatumWriter<Object>(topic.serde().schema(), GenericData.get())
          .write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  /** An Avro long (zig-zag varint), as lengths and counts are written. */
  static byte[] varint(long n) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long z = (n << 1) ^ (n >> 63);
    while ((z & ~0x7FL) != 0) {
      out.write((int) ((z & 0x7F) | 0x80));
      z >>>= 7;
    }
    out.write((int) z);
    return out.toByteArray();
  }

  // ---- reading ----------------------------------------------------------------------------------

  /**
   * What the serde makes of {@code bytes}: the record, or the {@link SerializationException}; fails
   * on any other exception or error, on a hang, and on an allocation out of proportion to the
   * input.
   */
  static Object readOrRefuse(Topic topic, byte[] bytes) throws Exception {
    return Bounded.call(
        () -> {
          com.sun.management.ThreadMXBean threads =
              (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
          long before = threads.getCurrentThreadAllocatedBytes();
          Object result;
          try {
            result = topic.serde().deserialize(topic.name(), bytes);
          } catch (SerializationException e) {
            result = e;
          }
          long allocated = threads.getCurrentThreadAllocatedBytes() - before;
          if (result instanceof SerializationException e) {
            assertThat(e.getMessage()).contains(topic.name());
          }
          assertThat(allocated)
              .as("bytes allocated to read %d bytes into %s", bytes.length, result)
              .isLessThan(ALLOCATION_ALLOWANCE + 64L * bytes.length);
          return result;
        });
  }

  // ---- properties -------------------------------------------------------------------------------

  /**
   * A record Avro wrote reads into the generated class and writes back to the same record (compared
   * as values: a map's entries may come back in another order, so not byte for byte).
   */
  @Property(seed = "1431")
  void everyTopicsRecordsRoundTrip(@ForAll("records") Framed framed) throws Exception {
    Topic topic = framed.topic();
    Object read = readOrRefuse(topic, framed.bytes());
    assertThat(read).isInstanceOf(SpecificRecord.class);
    @SuppressWarnings("unchecked")
    AvroSerde<SpecificRecord> serde = (AvroSerde<SpecificRecord>) topic.serde();
    byte[] again = serde.serialize(topic.name(), (SpecificRecord) read);
    assertThat(again).hasSameSizeAs(framed.bytes());
    assertThat(generic(topic, again)).isEqualTo(framed.value());
    assertThat(serde.deserialize(topic.name(), again)).isEqualTo(read);
    // what readers do next: the core model takes every record the serde reads
    if (read instanceof RouteEntry e) {
      assertThat(AvroMapping.toRoute(e, new SharedStrings(64))).isEqualTo(AvroMapping.toRoute(e));
    } else if (read instanceof InterceptRegistration r) {
      assertThat(AvroMapping.toIntercept(r).id()).isEqualTo(r.getId());
    } else if (read instanceof AuditEvent e) {
      assertThat(AvroMapping.toAuditRecord(e).interceptId()).isEqualTo(e.getInterceptId());
    }
  }

  /** A framed record read back in Avro's generic form. */
  static Object generic(Topic topic, byte[] framed) throws IOException {
    return new GenericDatumReader<Object>(topic.serde().schema(), topic.serde().schema())
        .read(
            null,
            DecoderFactory.get()
                .binaryDecoder(framed, AvroSerde.bodyOffset(), framed.length - 5, null));
  }

  @Property(seed = "1432")
  void arbitraryBytesAreReadOrRefused(
      @ForAll @IntRange(min = 0, max = 3) int topic,
      @ForAll("bodies") byte[] body,
      @ForAll("headers") byte[] header)
      throws Exception {
    Topic t = TOPICS.get(topic);
    byte[] bytes = new byte[header.length + body.length];
    System.arraycopy(header, 0, bytes, 0, header.length);
    System.arraycopy(body, 0, bytes, header.length, body.length);
    if (header.length == 5) {
      bytes[1] = 0; // a registered id, mostly
      bytes[2] = 0;
      bytes[3] = 0;
      bytes[4] = (byte) (header[4] & 7);
    }
    Object result = readOrRefuse(t, bytes);
    if (bytes.length < 5 || bytes[0] != AvroSerde.MAGIC_BYTE) {
      assertThat(result).isInstanceOf(SerializationException.class);
    }
  }

  @Provide
  Arbitrary<byte[]> headers() {
    Arbitrary<byte[]> framed =
        Arbitraries.bytes().array(byte[].class).ofSize(5).map(b -> withMagic(b));
    return Arbitraries.frequencyOf(
        Tuple.of(8, framed), Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(6)));
  }

  private static byte[] withMagic(byte[] b) {
    b[0] = AvroSerde.MAGIC_BYTE;
    return b;
  }

  @Provide
  Arbitrary<byte[]> bodies() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(120);
  }

  /**
   * Valid records with bytes overwritten or a lying varint (a huge length or item count, a negative
   * one) put in at some position: read or refused, nothing huge allocated.
   */
  @Property(seed = "1433")
  void mutatedRecordsAreReadOrRefused(
      @ForAll("records") Framed framed,
      @ForAll @Size(min = 1, max = 3) List<@IntRange(min = 0, max = 100_000) Integer> at,
      @ForAll("mutations") List<byte[]> with)
      throws Exception {
    byte[] bytes = framed.bytes();
    for (int i = 0; i < at.size() && i < with.size(); i++) {
      int pos = 5 + at.get(i) % Math.max(1, bytes.length - 5);
      byte[] m = with.get(i);
      // replace from pos: the record up to there, the lie, then the rest
      byte[] mutated = new byte[Math.max(bytes.length, pos + m.length)];
      System.arraycopy(bytes, 0, mutated, 0, bytes.length);
      System.arraycopy(m, 0, mutated, pos, m.length);
      bytes = mutated;
    }
    readOrRefuse(framed.topic(), bytes);
  }

  @Provide
  Arbitrary<List<byte[]>> mutations() {
    Arbitrary<byte[]> lie =
        Arbitraries.oneOf(
                Arbitraries.longs().between(1L << 20, Integer.MAX_VALUE),
                Arbitraries.longs(),
                Arbitraries.longs().between(-3, 3))
            .map(AvroSerdeProperties::varint);
    Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(3);
    return Arbitraries.frequencyOf(Tuple.of(2, lie), Tuple.of(1, noise)).list().ofMaxSize(3);
  }
}
