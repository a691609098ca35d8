package io.sidetrack.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The secured embedded broker: SASL/SCRAM-SHA-512 and the StandardAuthorizer, denying by default.
 */
@Timeout(120)
class SecureEmbeddedKafkaIT {
  static final ScramCredentials ADMIN = ScramCredentials.random("admin");
  static EmbeddedKafka kafka;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.startTemporarySecure(ADMIN);
    try (Admin admin = admin(kafka.clientProperties())) {
      admin
          .createTopics(List.of(new NewTopic("secured", 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  static Admin admin(Map<String, String> settings) {
    Map<String, Object> props = new HashMap<>(settings);
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("default.api.timeout.ms", 10_000);
    props.put("request.timeout.ms", 5_000);
    return Admin.create(props);
  }

  static KafkaProducer<String, String> producer(Map<String, String> settings) {
    Map<String, Object> props = new HashMap<>(settings);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  @Test
  void theSuperUserCreatedAtFormatTimeCanWrite() throws Exception {
    assertThat(kafka.secured()).isTrue();
    try (var producer = producer(kafka.clientProperties())) {
      assertThat(
              producer
                  .send(new ProducerRecord<>("secured", "k", "v"))
                  .get(30, TimeUnit.SECONDS)
                  .offset())
          .isGreaterThanOrEqualTo(0);
    }
  }

  @Test
  void aWrongPasswordFailsWithAnAuthenticationError() {
    var wrong = new ScramCredentials(ADMIN.user(), "not-the-password");
    try (Admin admin = admin(wrong.clientProperties())) {
      assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(SaslAuthenticationException.class);
    }
  }

  @Test
  void aUserWithoutAclsIsDeniedEvenWithNoAclOnTheTopic() throws Exception {
    var nobody = ScramCredentials.random("nobody");
    try (Admin admin = admin(kafka.clientProperties())) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      nobody.user(),
                      new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                      nobody.password())))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    try (var producer = producer(nobody.clientProperties())) {
      assertThatThrownBy(
              () ->
                  producer
                      .send(new ProducerRecord<>("secured", "k", "v"))
                      .get(30, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(TopicAuthorizationException.class);
    }
  }
}
