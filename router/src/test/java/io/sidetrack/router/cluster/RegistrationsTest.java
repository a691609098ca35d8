package io.sidetrack.router.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.trust.Keys;
import io.sidetrack.core.trust.RouteSigner;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.registry.InMemorySchemaRegistryClient;
import io.sidetrack.schemas.serde.AvroSerde;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Registrations are published from the router's event loop: nothing they do may block it or throw
 * out of it, and every failure must come back through the future the session waits on.
 */
@Timeout(30)
class RegistrationsTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  static final Intercept INTERCEPT =
      new Intercept(
          "i-1",
          "shop",
          "alice",
          MatchRules.header("x-sidetrack-id", "alice"),
          "router:1",
          NOW,
          NOW.plusSeconds(30),
          FailureMode.FAIL_OPEN,
          Map.of());

  static MockProducer<String, byte[]> producer() {
    return new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  }

  @Test
  void aSerializationFailureFailsTheFutureInsteadOfThrowingAtTheCaller() {
    var producer = producer();
    try (var registrations =
        new Registrations(
            producer,
            "t",
            i -> {
              throw new IllegalStateException("schema registry unreachable");
            })) {
      CompletableFuture<Void> published = registrations.publish(INTERCEPT);
      assertThat(published)
          .failsWithin(Duration.ofSeconds(5))
          .withThrowableThat()
          .withMessageContaining("schema registry unreachable");
    }
  }

  @Test
  void aSendThatThrowsFailsTheFuture() {
    var producer = producer();
    producer.sendException = new KafkaException("metadata not available after 5000 ms");
    try (var registrations = new Registrations(producer, "t", i -> new byte[] {1})) {
      assertThat(registrations.publish(INTERCEPT))
          .failsWithin(Duration.ofSeconds(5))
          .withThrowableThat()
          .withMessageContaining("metadata not available");
      assertThat(registrations.remove("i-1"))
          .failsWithin(Duration.ofSeconds(5))
          .withThrowableThat()
          .withMessageContaining("metadata not available");
    }
  }

  @Test
  void aBlockingSerializerDoesNotBlockTheCaller() throws Exception {
    var producer = producer();
    CountDownLatch registryAnswers = new CountDownLatch(1);
    try (var registrations =
        new Registrations(
            producer,
            "t",
            i -> {
              try {
                registryAnswers.await(20, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return new byte[] {1};
            })) {
      CompletableFuture<Void> published =
          assertTimeoutPreemptively(Duration.ofSeconds(2), () -> registrations.publish(INTERCEPT));
      assertThat(published).isNotDone();
      registryAnswers.countDown();
      assertThat(published).succeedsWithin(Duration.ofSeconds(5));
      assertThat(producer.history()).hasSize(1);
    }
  }

  @Test
  void everyRegistrationAndRenewalIsWrittenSignedByTheRouterKey() {
    KeyPair key = Keys.generate();
    var serde =
        AvroSerde.forValues(new InMemorySchemaRegistryClient(), InterceptRegistration.class);
    var producer = producer();
    try (var registrations =
        new Registrations(
            producer,
            "t",
            Registrations.signed(
                new RouteSigner(key), i -> serde.serialize("t", AvroMapping.toRegistration(i))))) {
      assertThat(registrations.publish(INTERCEPT)).succeedsWithin(Duration.ofSeconds(5));
      assertThat(registrations.publish(INTERCEPT.withExpiresAt(NOW.plusSeconds(60))))
          .succeedsWithin(Duration.ofSeconds(5));
    }
    TrustedKeys trusted = TrustedKeys.of(List.of(key.getPublic()));
    assertThat(producer.history()).hasSize(2);
    for (var record : producer.history()) {
      Intercept written = AvroMapping.toIntercept(serde.deserialize("t", record.value()));
      assertThat(written.signature().keyId()).isEqualTo(TrustedKeys.keyIdOf(key.getPublic()));
      assertThat(trusted.verify(written).isTrusted()).isTrue();
    }
  }
}
