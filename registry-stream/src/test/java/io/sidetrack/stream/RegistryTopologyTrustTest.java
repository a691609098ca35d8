package io.sidetrack.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.trust.Keys;
import io.sidetrack.core.trust.RouteSigner;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.avro.AuditKind;
import io.sidetrack.schemas.avro.RouteEntry;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** registry-stream with trusted router keys: only what a trusted router signed becomes a route. */
@Timeout(60)
class RegistryTopologyTrustTest extends TopologyFixture {
  private static final KeyPair ROUTER = Keys.generate();
  private static final KeyPair STRANGER = Keys.generate();

  @Override
  TopologySettings settings(TopologySettings defaults) {
    return defaults.withTrustedRouters(TrustedKeys.of(List.of(ROUTER.getPublic())));
  }

  private static Intercept intercept(String id, String owner, String header, String target) {
    return new Intercept(
        id,
        "demo",
        owner,
        MatchRules.header("x-sidetrack-id", header),
        target,
        T0,
        T0.plusSeconds(15),
        FailureMode.FAIL_OPEN,
        Map.of());
  }

  @Test
  void signedRegistrationIsRoutedAndItsRouteEntryCarriesTheSignatureUnchanged() {
    Intercept signed = new RouteSigner(ROUTER).sign(intercept("i-1", "alice", "alice", "r:8071"));
    register(signed);

    RouteEntry route = routes.readValue();
    assertThat(AvroMapping.toRoute(route).signature()).isEqualTo(signed.signature());
    assertThat(
            TrustedKeys.of(List.of(ROUTER.getPublic()))
                .verify(AvroMapping.toRoute(route))
                .isTrusted())
        .isTrue();
    assertThat(audit.readValue().getKind()).isEqualTo(AuditKind.CREATED);
  }

  @Test
  void theForgedRegistrationIsRejectedWithTheReasonAndPublishesNoRoute() {
    register(intercept("x", "mallory", "victim", "127.0.0.1:19999"));

    assertThat(routes.isEmpty()).isTrue();
    AuditEvent event = audit.readValue();
    assertThat(event.getKind()).isEqualTo(AuditKind.REJECTED);
    assertThat(event.getReason()).isEqualTo("not signed by a trusted router: no signature");
    assertThat(event.getActor()).isEqualTo("mallory");
    assertThat(
            meters
                .get("sidetrack.registry.rejections")
                .tag("reason", "untrusted")
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void aRegistrationSignedByAnUnknownKeyIsRejectedNamingTheKeyId() {
    register(new RouteSigner(STRANGER).sign(intercept("x", "mallory", "victim", "evil:1")));

    assertThat(routes.isEmpty()).isTrue();
    assertThat(audit.readValue().getReason())
        .isEqualTo(
            "not signed by a trusted router: unknown key id "
                + TrustedKeys.keyIdOf(STRANGER.getPublic()));
  }

  @Test
  void aSignedRegistrationWithItsTargetChangedIsRejectedAndTheRealRouteStays() {
    Intercept real = new RouteSigner(ROUTER).sign(intercept("i-1", "alice", "alice", "r:8071"));
    register(real);
    routes.readValue();
    audit.readValue();

    Intercept forged =
        new Intercept(
            "i-1",
            "demo",
            "alice",
            real.match(),
            "evil:1",
            T0,
            T0.plusSeconds(15),
            FailureMode.FAIL_OPEN,
            Map.of(),
            real.signature());
    register(forged);

    assertThat(routes.isEmpty()).isTrue();
    AuditEvent event = audit.readValue();
    assertThat(event.getKind()).isEqualTo(AuditKind.REJECTED);
    assertThat(event.getReason())
        .isEqualTo(
            "not signed by a trusted router: the signature of key "
                + TrustedKeys.keyIdOf(ROUTER.getPublic())
                + " does not match the route");
  }
}
