package io.sidetrack.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.Limits;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.Topics;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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

/**
 * Registrations with topics through the topology: validated (Kafka's topic name rules, a one-line
 * reason in the audit event), decided against the workload's other intercepts by the one conflict
 * policy, published with their topics in the route entry and named in the audit events.
 */
@Timeout(60)
class RegistryTopologyTopicsTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  private SchemaRegistryClient registry;
  private SimpleMeterRegistry meters;
  private TopologyTestDriver driver;
  private AvroSerde<InterceptRegistration> registrations;
  private TestInputTopic<String, byte[]> intercepts;
  private TestOutputTopic<String, RouteEntry> routes;
  private TestOutputTopic<String, AuditEvent> audit;
  private TestOutputTopic<String, byte[]> dlq;

  @BeforeEach
  void start() throws Exception {
    registry = SchemaRegistryClients.create(SchemaRegistryConfig.of("mock://" + UUID.randomUUID()));
    meters = new SimpleMeterRegistry();
    var settings =
        new TopologySettings(
            Topics.DEFAULT, registry, Limits.DEFAULTS, Duration.ofSeconds(1), meters);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "registry-stream-test");
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
    dlq =
        driver.createOutputTopic(
            Topics.INTERCEPTS_DLQ, new StringDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private static Intercept intercept(String id, String owner, MatchRules match) {
    return new Intercept(
        id,
        "orders",
        owner,
        match,
        "router-1:9000",
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

  private void remove(String id) {
    intercepts.pipeInput(id, (byte[]) null);
  }

  @Test
  void topicsReachTheRouteEntryAndTheAuditEvent() {
    register(
        intercept("i-1", "alice", MatchRules.personal("alice"))
            .withTopics(List.of("orders.created", "payments")));

    RouteEntry route = routes.readValue();
    assertThat(route.getTopics()).containsExactly("orders.created", "payments");
    AuditEvent event = audit.readValue();
    assertThat(event.getKind()).isEqualTo(AuditKind.CREATED);
    assertThat(event.getAfter().getTopics()).containsExactly("orders.created", "payments");
  }

  @Test
  void anIllegalTopicNameIsRejectedWithKafkasRuleAsTheReason() {
    register(
        intercept("i-1", "alice", MatchRules.personal("alice"))
            .withTopics(List.of("orders created")));

    assertThat(routes.isEmpty()).isTrue();
    AuditEvent event = audit.readValue();
    assertThat(event.getKind()).isEqualTo(AuditKind.REJECTED);
    assertThat(event.getReason())
        .isEqualTo(
            "invalid topic name 'orders created': Kafka allows only ASCII letters, digits, '.',"
                + " '_' and '-'");
    assertThat(event.getAfter().getTopics()).containsExactly("orders created");
  }

  @Test
  void theSameRulesOnATopicConflictAsOverHttp() {
    register(
        intercept("i-1", "alice", MatchRules.header("x-sidetrack-id", "v"))
            .withTopics(List.of("orders.created")));
    routes.readValue();
    audit.readValue();

    register(
        intercept("i-2", "bob", MatchRules.header("x-sidetrack-id", "v"))
            .withTopics(List.of("orders.created")));

    assertThat(routes.isEmpty()).isTrue();
    AuditEvent event = audit.readValue();
    assertThat(event.getKind()).isEqualTo(AuditKind.REJECTED);
    assertThat(event.getReason()).startsWith("conflicts with intercept i-1 of alice");
  }

  @Test
  void addingATopicUpdatesTheRouteAndTheAuditShowsBeforeAndAfter() {
    Intercept http = intercept("i-1", "alice", MatchRules.personal("alice"));
    register(http);
    assertThat(routes.readValue().getTopics()).isEmpty();
    audit.readValue();

    register(http.withTopics(List.of("orders.created")));

    assertThat(routes.readValue().getTopics()).containsExactly("orders.created");
    AuditEvent event = audit.readValue();
    assertThat(event.getKind()).isEqualTo(AuditKind.UPDATED);
    assertThat(event.getBefore().getTopics()).isEmpty();
    assertThat(event.getAfter().getTopics()).containsExactly("orders.created");
  }
}
