package io.sidetrack.cli.admin;

import io.sidetrack.cli.context.Connection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Kafka clients of the CLI's commands. */
final class KafkaClients {
  private KafkaClients() {}

  /**
   * A producer (with {@code --kafka-config}'s settings) that fails fast when the cluster cannot be
   * reached.
   */
  static KafkaProducer<String, byte[]> producer(Connection connection) {
    Map<String, Object> props = new HashMap<>(connection.kafkaProperties());
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, connection.bootstrapServers());
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }
}
