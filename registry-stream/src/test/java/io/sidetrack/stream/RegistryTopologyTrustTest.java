package io.sidetrack.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.Limits;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.Topics;
import io.sidetrack.core.trust.Keys;
import io.sidetrack.core.trust.RouteSigner;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.avro.AuditKind;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryClients;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import java.nio.file.Files;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** registry-stream with trusted router keys: only what a trusted router signed becomes a route. */
@Timeout(60)
class RegistryTopologyTrustTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private static final KeyPair ROUTER = Keys.generate();
  private static final KeyPair STRANGER = Keys.generate();

  private TopologyTestDriver driver;
  private AvroSerde<InterceptRegistration> registrations;
  private TestInputTopic<String, byte[]> intercepts;
  private TestOutputTopic<String, RouteEntry> routes;
  private TestOutputTopic<String, AuditEvent> audit;
  private SimpleMeterRegistry meters;

  @BeforeEach
  void start() throws Exception {
    SchemaRegistryClient registry =
        SchemaRegistryClients.create(SchemaRegistryConfig.of("mock://" + UUID.randomUUID()));
    meters = new SimpleMeterRegistry();
    var settings =
        new TopologySettings(
                Topics.DEFAULT, registry, Limits.DEFAULTS, Duration.ofSeconds(1), meters)
            .withTrustedRouters(TrustedKeys.of(List.of(ROUTER.getPublic())));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "registry-stream-trust-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(
        StreamsConfig.STATE_DIR_CONFIG,
        Files.createTempDirectory("ttd").toAbsolutePath().toString());
    driver = new TopologyTestDriver(RegistryTopology.build(settings), props, T0);
    registrations = AvroSerde.forValues(registry, InterceptRegistration.class);
    intercepts =
        driver.createInputTopic(
            Topics.INTERCEPTS,
            new StringSerializer(),
            new ByteArraySerializer(),
            T0,
            Duration.ZERO);
    routes =
        driver.createOutputTopic(
            Topics.ROUTES,
            new StringDeserializer(),
            AvroSerde.forValues(registry, RouteEntry.class));
    audit =
        driver.createOutputTopic(
            Topics.AUDIT,
            new StringDeserializer(),
            AvroSerde.forValues(registry, AuditEvent.class));
  }

  @AfterEach
  void stop() {
    driver.close();
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

  private void register(Intercept intercept) {
    intercepts.pipeInput(
        intercept.id(),
        registrations.serialize(Topics.INTERCEPTS, AvroMapping.toRegistration(intercept)));
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
