package io.sidetrack.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.trust.Keys;
import io.sidetrack.core.trust.RouteSignature;
import io.sidetrack.core.trust.RouteSigner;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.InMemorySchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.serde.AvroSerde;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The router's signature travels unchanged from the registration to the route entry through their
 * Avro forms, and records written before signatures existed read as unsigned.
 */
class SignatureMappingTest {
  private static final KeyPair ROUTER = Keys.generate();
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00.123456Z");

  private static Intercept intercept() {
    return new Intercept(
        "i-1",
        "orders",
        "alice",
        MatchRules.personal("alice"),
        "router:9000",
        T0,
        T0.plusSeconds(15),
        FailureMode.FAIL_OPEN,
        Map.of());
  }

  @Test
  void signedRegistrationSurvivesTheSerdeAndItsRouteEntryVerifies() {
    SchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    Intercept signed = new RouteSigner(ROUTER).sign(intercept());
    var registrations = AvroSerde.forValues(registry, InterceptRegistration.class);
    var routes = AvroSerde.forValues(registry, RouteEntry.class);

    Intercept read =
        AvroMapping.toIntercept(
            registrations.deserialize(
                "t", registrations.serialize("t", AvroMapping.toRegistration(signed))));
    Route route =
        AvroMapping.toRoute(
            routes.deserialize("r", routes.serialize("r", AvroMapping.toRouteEntry(read))));

    TrustedKeys trusted = TrustedKeys.of(List.of(ROUTER.getPublic()));
    assertThat(read.signature()).isEqualTo(signed.signature());
    assertThat(route.signature()).isEqualTo(signed.signature());
    assertThat(trusted.verify(read).isTrusted()).isTrue();
    assertThat(trusted.verify(route).isTrusted()).isTrue();
  }

  @Test
  void registrationWrittenBeforeSignaturesReadsAsUnsigned() throws Exception {
    SchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    String topic = "sidetrack.intercepts";
    var old = AnyOfEvolutionTest.before("InterceptRegistration-v1.avsc");
    int oldId = registry.register(topic + "-value", old);
    byte[] bytes = AnyOfEvolutionTest.framed(oldId, old, AnyOfEvolutionTest.oldRegistrationJson());

    Intercept read =
        AvroMapping.toIntercept(
            AvroSerde.forValues(registry, InterceptRegistration.class).deserialize(topic, bytes));

    assertThat(read.signature()).isEqualTo(RouteSignature.NONE);
  }
}
