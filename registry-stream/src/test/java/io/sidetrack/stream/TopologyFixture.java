package io.sidetrack.stream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.Limits;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.Topics;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryClients;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
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

/**
 * The registry topology on Kafka Streams' test driver, with its input and output topics and a mock
 * schema registry of its own: made before each test of a subclass, closed after it.
 */
abstract class TopologyFixture {
  /** The driver's wall clock at the start. */
  static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  SchemaRegistryClient registry;
  SimpleMeterRegistry meters;
  TopologyTestDriver driver;
  AvroSerde<InterceptRegistration> registrations;
  TestInputTopic<String, byte[]> intercepts;
  TestOutputTopic<String, RouteEntry> routes;
  TestOutputTopic<String, AuditEvent> audit;
  TestOutputTopic<String, byte[]> dlq;

  /** The topology's settings: the defaults, unless a subclass changes them. */
  TopologySettings settings(TopologySettings defaults) {
    return defaults;
  }

  @BeforeEach
  void startTopology() throws IOException {
    meters = new SimpleMeterRegistry();
    registry = SchemaRegistryClients.create(SchemaRegistryConfig.of("mock://" + UUID.randomUUID()));
    TopologySettings base =
        new TopologySettings(
            Topics.DEFAULT, registry, Limits.DEFAULTS, Duration.ofSeconds(1), meters);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "registry-stream-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(
        StreamsConfig.STATE_DIR_CONFIG,
        Files.createTempDirectory("ttd").toAbsolutePath().toString());
    driver = new TopologyTestDriver(RegistryTopology.build(settings(base)), props, T0);
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

  /** An intercept of {@code orders} through {@code router-1:9000}, leased for 15 s from T0. */
  static Intercept intercept(String id, String owner, MatchRules match) {
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

  /** Writes {@code intercept}'s registration. */
  void register(Intercept intercept) {
    intercepts.pipeInput(
        intercept.id(),
        registrations.serialize(Topics.INTERCEPTS, AvroMapping.toRegistration(intercept)));
  }

  /** Writes the tombstone of {@code id}. */
  void remove(String id) {
    intercepts.pipeInput(id, (byte[]) null);
  }

  @AfterEach
  void stopTopology() {
    driver.close();
  }
}
