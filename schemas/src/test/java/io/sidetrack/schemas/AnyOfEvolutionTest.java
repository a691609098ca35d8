package io.sidetrack.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.routing.Route;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.InMemorySchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.serde.AvroSerde;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/**
 * Match rules' any-of groups as a schema change: records written before groups existed (the schemas
 * as they were, checked in under {@code src/test/resources/schemas-before-any-of}) read with no
 * groups through the serde's writer/reader resolution, and the new schemas are BACKWARD compatible
 * with them, as the registry requires of every subject.
 */
class AnyOfEvolutionTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  /** {@code resource} of the schemas before any-of. */
  static Schema before(String resource) throws IOException {
    try (InputStream in =
        AnyOfEvolutionTest.class.getResourceAsStream("/schemas-before-any-of/" + resource)) {
      return new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** A record of {@code schema} from its Avro JSON form, framed with {@code id}. */
  static byte[] framed(int id, Schema schema, String json) throws IOException {
    GenericRecord record =
        new GenericDatumReader<GenericRecord>(schema)
            .read(null, DecoderFactory.get().jsonDecoder(schema, json));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(AvroSerde.MAGIC_BYTE);
    out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  /** An {@code InterceptRegistration} as it was written before any-of: one header rule. */
  static String oldRegistrationJson() {
    return """
        {"id": "i-old", "workload": "orders", "owner": "carol",
         "match": {"headers": [{"name": "x-sidetrack-id", "kind": "EXACT", "value": "carol"}],
                   "baggage": [{"key": "tenant", "value": "t1"}],
                   "pathPrefix": {"string": "/api"}, "method": null, "global": false},
         "target": "router-1:9000", "createdAt": 1764064800000, "expiresAt": 1764064815000,
         "failureMode": "FAIL_CLOSED", "labels": {"team": "pay"}}
        """;
  }

  static final MatchRules OLD_RULES =
      new MatchRules(
          List.of(HeaderMatch.exact("x-sidetrack-id", "carol")),
          List.of(new BaggageMatch("tenant", "t1")),
          "/api",
          null,
          false);

  @Test
  void aRegistrationWrittenBeforeAnyOfReadsWithNoGroups() throws Exception {
    SchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    String topic = "sidetrack.intercepts";
    int oldId = registry.register(topic + "-value", before("InterceptRegistration-v1.avsc"));
    byte[] old = framed(oldId, before("InterceptRegistration-v1.avsc"), oldRegistrationJson());

    var serde = AvroSerde.forValues(registry, InterceptRegistration.class);
    Intercept read = AvroMapping.toIntercept(serde.deserialize(topic, old));

    assertThat(read.match().anyOf()).isEmpty();
    assertThat(read.match()).isEqualTo(OLD_RULES);
    assertThat(read.failureMode()).isEqualTo(FailureMode.FAIL_CLOSED);

    // writing registers the new schema under the same subject: the in-memory registry refuses
    // (409) a schema that is not BACKWARD compatible with the latest, as a real one does
    Intercept personal = intercept(MatchRules.personal("alice"));
    byte[] written = serde.serialize(topic, AvroMapping.toRegistration(personal));
    assertThat(AvroSerde.schemaId(topic, written)).isNotEqualTo(oldId);
    assertThat(AvroMapping.toIntercept(serde.deserialize(topic, written))).isEqualTo(personal);
  }

  @Test
  void aRouteEntryWrittenBeforeAnyOfReadsWithNoGroups() throws Exception {
    SchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    String topic = "sidetrack.routes";
    Schema oldSchema = before("RouteEntry-v1.avsc");
    int oldId = registry.register(topic + "-value", oldSchema);
    byte[] old =
        framed(
            oldId,
            oldSchema,
            """
            {"interceptId": "i-old", "workload": "orders", "owner": "carol",
             "match": {"headers": [{"name": "x-sidetrack-id", "kind": "EXACT", "value": "carol"}],
                       "baggage": [{"key": "tenant", "value": "t1"}],
                       "pathPrefix": {"string": "/api"}, "method": null, "global": false},
             "target": "router-1:9000", "createdAt": 1764064800000, "failureMode": "FAIL_OPEN"}
            """);

    Route read =
        AvroMapping.toRoute(
            AvroSerde.forValues(registry, RouteEntry.class).deserialize(topic, old));

    assertThat(read.match()).isEqualTo(OLD_RULES);
  }

  @Test
  void theNewSchemasAreBackwardCompatibleWithTheOldOnes() throws Exception {
    for (var pair :
        Map.of(
                "InterceptRegistration-v1.avsc", InterceptRegistration.getClassSchema(),
                "RouteEntry-v1.avsc", RouteEntry.getClassSchema())
            .entrySet()) {
      var result =
          SchemaCompatibility.checkReaderWriterCompatibility(
              pair.getValue(), before(pair.getKey()));
      assertThat(result.getType())
          .as(pair.getKey() + ": " + result.getDescription())
          .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }
  }

  @Test
  void groupsRoundTripThroughTheAvroForm() {
    MatchRules rules =
        new MatchRules(
            List.of(HeaderMatch.regex("x-team", "pay.*")),
            List.of(),
            null,
            "GET",
            false,
            List.of(
                new AnyOf(
                    List.of(HeaderMatch.exact("x-sidetrack-id", "alice")),
                    List.of(new BaggageMatch("sidetrack-id", "alice"))),
                new AnyOf(List.of(), List.of(new BaggageMatch("tenant", "t1")))));
    assertThat(AvroMapping.toMatch(AvroMapping.toAvro(rules))).isEqualTo(rules);
    Intercept i = intercept(rules);
    assertThat(AvroMapping.toRoute(AvroMapping.toRouteEntry(i))).isEqualTo(Route.of(i));
  }

  private static Intercept intercept(MatchRules rules) {
    return new Intercept(
        "i-1",
        "orders",
        "alice",
        rules,
        "router:9000",
        T0,
        T0.plusSeconds(15),
        FailureMode.FAIL_OPEN,
        Map.of());
  }
}
