package io.sidetrack.stream;

import io.sidetrack.embedded.SharedInfrastructure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The same scenario against Kafka in a container, where Docker exists; skipped cleanly where it
 * does not.
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(300)
class RegistryStreamContainersIT extends ControlPlaneScenario {

  @Container static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.0");

  @Override
  String bootstrapServers() {
    return KAFKA.getBootstrapServers();
  }

  @Override
  String schemaRegistryUrl() {
    return SharedInfrastructure.schemaRegistry();
  }

  @Test
  void decidesRegistrationsOnKafkaInAContainer() throws Exception {
    decidesRegistrationsEndToEnd();
  }
}
