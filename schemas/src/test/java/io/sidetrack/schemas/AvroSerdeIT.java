package io.sidetrack.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.registry.HttpSchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.registry.SchemaRegistryException;
import io.sidetrack.schemas.serde.AvroSerde;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The serde and registry client against a real Apicurio Registry (Confluent-compatible API). */
@Timeout(180)
class AvroSerdeIT {
  private final String url = SharedInfrastructure.schemaRegistry();
  private final SchemaRegistryClient registry =
      new HttpSchemaRegistryClient(SchemaRegistryConfig.of(url));

  @Test
  void roundTripsInTheConfluentWireFormat() throws Exception {
    String topic = "rt-" + UUID.randomUUID();
    var serde = AvroSerde.forValues(registry, InterceptRegistration.class);
    Intercept intercept =
        new Intercept(
            "i-1",
            "orders",
            "alice",
            new MatchRules(
                List.of(
                    HeaderMatch.exact("x-sidetrack-id", "alice"),
                    HeaderMatch.regex("x-user", "al.*")),
                List.of(),
                "/api",
                "GET",
                false),
            "router:9000",
            Instant.ofEpochMilli(1_000),
            Instant.ofEpochMilli(16_000),
            FailureMode.FAIL_CLOSED,
            Map.of("team", "checkout"));

    byte[] bytes = serde.serialize(topic, AvroMapping.toRegistration(intercept));

    assertThat(bytes[0]).isEqualTo((byte) 0);
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    // the id is the registry's: a fresh client (no cache) resolves it to the same schema
    Schema fetched = new HttpSchemaRegistryClient(SchemaRegistryConfig.of(url)).schemaById(id);
    assertThat(fetched).isEqualTo(InterceptRegistration.getClassSchema());
    assertThat(AvroMapping.toIntercept(serde.deserialize(topic, bytes))).isEqualTo(intercept);
    HttpResponse<String> config =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url + "/config/" + topic + "-value")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(config.body()).contains("BACKWARD");
  }

  @Test
  void evolvedSchemaIsReadByOldAndNewReaders() throws Exception {
    String subject = "evolution-" + UUID.randomUUID() + "-value";
    Schema v1 =
        SchemaBuilder.record("Thing").namespace("test").fields().requiredString("name").endRecord();
    Schema v2 =
        SchemaBuilder.record("Thing")
            .namespace("test")
            .fields()
            .requiredString("name")
            .name("color")
            .type()
            .stringType()
            .stringDefault("blue")
            .endRecord();
    int id1 = registry.register(subject, v1);
    registry.setCompatibility(subject, "BACKWARD");
    int id2 = registry.register(subject, v2);
    assertThat(id2).isNotEqualTo(id1);

    GenericRecord oldThing = new GenericData.Record(v1);
    oldThing.put("name", "old");
    GenericRecord newThing = new GenericData.Record(v2);
    newThing.put("name", "new");
    newThing.put("color", "red");
    byte[] oldBytes = frame(id1, v1, oldThing);
    byte[] newBytes = frame(id2, v2, newThing);

    // new reader, old record: the default fills the new field
    GenericRecord readNew = read(oldBytes, v2);
    assertThat(readNew.get("name").toString()).isEqualTo("old");
    assertThat(readNew.get("color").toString()).isEqualTo("blue");
    // old reader, new record: the new field is skipped
    GenericRecord readOld = read(newBytes, v1);
    assertThat(readOld.get("name").toString()).isEqualTo("new");
    assertThat(readOld.getSchema().getField("color")).isNull();

    // a change that breaks BACKWARD compatibility is refused by the registry
    Schema broken =
        SchemaBuilder.record("Thing")
            .namespace("test")
            .fields()
            .requiredString("name")
            .requiredInt("size")
            .endRecord();
    assertThatThrownBy(() -> registry.register(subject, broken))
        .isInstanceOf(SchemaRegistryException.class)
        .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(409));
  }

  @Test
  void registrationsWrittenBeforeAnyOfReadWithNoGroupsAndTheNewSchemaIsAccepted() throws Exception {
    String topic = "any-of-" + UUID.randomUUID();
    Schema old = AnyOfEvolutionTest.before("InterceptRegistration-v1.avsc");
    int oldId = registry.register(topic + "-value", old);
    registry.setCompatibility(topic + "-value", "BACKWARD");
    byte[] oldRecord =
        AnyOfEvolutionTest.framed(oldId, old, AnyOfEvolutionTest.oldRegistrationJson());

    var serde = AvroSerde.forValues(registry, InterceptRegistration.class);
    assertThat(AvroMapping.toIntercept(serde.deserialize(topic, oldRecord)).match())
        .isEqualTo(AnyOfEvolutionTest.OLD_RULES);

    // the registry checks the new schema against the old one: a 409 here fails the test
    Intercept personal =
        new Intercept(
            "i-2",
            "orders",
            "alice",
            MatchRules.personal("alice"),
            "router:9000",
            Instant.ofEpochMilli(1_000),
            Instant.ofEpochMilli(16_000),
            FailureMode.FAIL_OPEN,
            Map.of());
    byte[] written = serde.serialize(topic, AvroMapping.toRegistration(personal));
    assertThat(AvroSerde.schemaId(topic, written)).isNotEqualTo(oldId);
    assertThat(AvroMapping.toIntercept(serde.deserialize(topic, written))).isEqualTo(personal);
  }

  @Test
  void unknownSchemaIdIsAClearSerializationError() {
    var serde = AvroSerde.forValues(registry, InterceptRegistration.class);
    byte[] bytes = {0, 0x7f, 0, 0, 1, 2};
    assertThatThrownBy(() -> serde.deserialize("t", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("schema id 2130706433");
  }

  /** Reads a framed record with the writer schema fetched from the registry by id. */
  private GenericRecord read(byte[] framed, Schema reader) throws Exception {
    int id = ByteBuffer.wrap(framed, 1, 4).getInt();
    Schema writer = new HttpSchemaRegistryClient(SchemaRegistryConfig.of(url)).schemaById(id);
    return new GenericDatumReader<GenericRecord>(writer, reader)
        .read(null, DecoderFactory.get().binaryDecoder(framed, 5, framed.length - 5, null));
  }

  private static byte[] frame(int id, Schema schema, GenericRecord record) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
