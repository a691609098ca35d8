package io.sidetrack.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.trust.Keys;
import io.sidetrack.core.trust.RouteSigner;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.InMemorySchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.serde.AvroSerde;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Topics of registrations and route entries as a schema change, as {@link AnyOfEvolutionTest} does
 * for any-of groups: records written before topics existed (the schemas as they were, checked in
 * under {@code src/test/resources/schemas-before-topics}) read with no topics; records with topics
 * read by a reader of before topics (an edge agent not upgraded yet) decode with the topics left
 * out; the new schemas are BACKWARD and FORWARD compatible with the old ones.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TopicsEvolutionTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private static final KeyPair ROUTER = Keys.generate();

  static Schema before(String resource) throws IOException {
    try (InputStream in =
        TopicsEvolutionTest.class.getResourceAsStream("/schemas-before-topics/" + resource)) {
      return new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static Intercept intercept(List<String> topics) {
    return new Intercept(
            "i-1",
            "orders",
            "alice",
            MatchRules.personal("alice"),
            "router:9000",
            T0,
            T0.plusSeconds(15),
            FailureMode.FAIL_OPEN,
            Map.of())
        .withTopics(topics);
  }

  @Test
  void recordsWrittenBeforeTopicsReadWithNone() throws Exception {
    SchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    Schema oldRoute = before("RouteEntry-v2.avsc");
    int oldId = registry.register("sidetrack.routes-value", oldRoute);
    byte[] old =
        AnyOfEvolutionTest.framed(
            oldId,
            oldRoute,
            """
            {"interceptId": "i-old", "workload": "orders", "owner": "carol",
             "match": {"headers": [], "baggage": [], "pathPrefix": null, "method": null,
                       "global": false, "anyOf": []},
             "target": "router-1:9000", "createdAt": 1764064800000, "failureMode": "FAIL_OPEN",
             "signature": "", "signatureKeyId": ""}
            """);

    Route read =
        AvroMapping.toRoute(
            AvroSerde.forValues(registry, RouteEntry.class).deserialize("sidetrack.routes", old));

    assertThat(read.topics()).isEmpty();
    assertThat(read.interceptId()).isEqualTo("i-old");

    Schema oldRegistration = before("InterceptRegistration-v2.avsc");
    int oldRegId = registry.register("sidetrack.intercepts-value", oldRegistration);
    byte[] oldReg =
        AnyOfEvolutionTest.framed(
            oldRegId,
            oldRegistration,
            """
            {"id": "i-old", "workload": "orders", "owner": "carol",
             "match": {"headers": [], "baggage": [], "pathPrefix": null, "method": null,
                       "global": false, "anyOf": []},
             "target": "router-1:9000", "createdAt": 1764064800000, "expiresAt": 1764064815000,
             "failureMode": "FAIL_OPEN", "labels": {}, "signature": "", "signatureKeyId": ""}
            """);
    var serde = AvroSerde.forValues(registry, InterceptRegistration.class);
    assertThat(AvroMapping.toIntercept(serde.deserialize("sidetrack.intercepts", oldReg)).topics())
        .isEmpty();

    // the new schema registers under the same subject (the in-memory registry checks BACKWARD)
    Intercept withTopics = intercept(List.of("payments", "orders.created"));
    byte[] written =
        serde.serialize("sidetrack.intercepts", AvroMapping.toRegistration(withTopics));
    assertThat(AvroSerde.schemaId("sidetrack.intercepts", written)).isNotEqualTo(oldRegId);
    assertThat(AvroMapping.toIntercept(serde.deserialize("sidetrack.intercepts", written)))
        .isEqualTo(withTopics);
  }

  @Test
  void aReaderOfBeforeTopicsDecodesARouteWithTopicsWithoutThem() throws Exception {
    Intercept signed = new RouteSigner(ROUTER).sign(intercept(List.of("orders.created")));
    SchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    byte[] framed =
        AvroSerde.forValues(registry, RouteEntry.class)
            .serialize("sidetrack.routes", AvroMapping.toRouteEntry(signed));

    // an old agent resolves the writer's (new) schema against its own reader schema
    byte[] body = Arrays.copyOfRange(framed, 5, framed.length);
    GenericRecord old =
        new GenericDatumReader<GenericRecord>(
                RouteEntry.getClassSchema(), before("RouteEntry-v2.avsc"))
            .read(null, DecoderFactory.get().binaryDecoder(body, null));

    assertThat(old.get("interceptId").toString()).isEqualTo("i-1");
    assertThat(old.getSchema().getField("topics")).isNull();
    // what it read has no topics, so its version-1 statement does not match the version-2
    // signature: an old agent refuses a route with topics instead of taking it without them
    ByteBuffer sig = (ByteBuffer) old.get("signature");
    assertThat(sig.remaining()).isPositive();
    Route asOldAgentSeesIt = Route.of(signed.withTopics(List.of()));
    assertThat(TrustedKeys.of(List.of(ROUTER.getPublic())).verify(asOldAgentSeesIt).isTrusted())
        .isFalse();
  }

  @Test
  void theNewSchemasAreBackwardAndForwardCompatibleWithTheOldOnes() throws Exception {
    for (var pair :
        Map.of(
                "InterceptRegistration-v2.avsc", InterceptRegistration.getClassSchema(),
                "RouteEntry-v2.avsc", RouteEntry.getClassSchema())
            .entrySet()) {
      Schema old = before(pair.getKey());
      var backward = SchemaCompatibility.checkReaderWriterCompatibility(pair.getValue(), old);
      assertThat(backward.getType())
          .as("backward " + pair.getKey() + ": " + backward.getDescription())
          .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
      var forward = SchemaCompatibility.checkReaderWriterCompatibility(old, pair.getValue());
      assertThat(forward.getType())
          .as("forward " + pair.getKey() + ": " + forward.getDescription())
          .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }
  }

  @Test
  void topicsRoundTripThroughTheRouteEntry() {
    Intercept i = new RouteSigner(ROUTER).sign(intercept(List.of("b", "a")));
    Route route = AvroMapping.toRoute(AvroMapping.toRouteEntry(i));

    assertThat(route).isEqualTo(Route.of(i));
    assertThat(route.topics()).containsExactly("a", "b");
    assertThat(TrustedKeys.of(List.of(ROUTER.getPublic())).verify(route).isTrusted()).isTrue();
    assertThat(AvroMapping.toIntercept(AvroMapping.toRegistration(i))).isEqualTo(i);
  }
}
