package io.sidetrack.cli.up;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka half of {@code frontend}: one record per order, with plain kafka-clients. It adds no
 * header: the OpenTelemetry Java agent's Kafka producer instrumentation writes the {@code
 * traceparent} and {@code baggage} of the request being served into the record's headers.
 *
 * <p>The producer is made at the first order, from a client properties file that {@code sidetrack
 * up} writes once Kafka is ready ({@code frontend} starts before Kafka does, to overlap the agent's
 * slow start).
 */
final class FrontendOrders implements AutoCloseable {
  private final Path settings;
  private final String topic;
  private KafkaProducer<String, String> producer;

  FrontendOrders(Path settings, String topic) {
    this.settings = settings;
    this.topic = topic;
  }

  /** Where an order went. */
  record Sent(String topic, int partition, long offset) {}

  /** Thrown when Kafka's settings are not there yet: {@code sidetrack up} is still starting. */
  static final class NotReady extends Exception {
    NotReady(String message) {
      super(message);
    }
  }

  /** Sends {@code item} (key and value) and waits for the broker's acknowledgement. */
  Sent send(String item)
      throws NotReady, IOException, InterruptedException, ExecutionException, TimeoutException {
    RecordMetadata m =
        producer().send(new ProducerRecord<>(topic, item, item)).get(15, TimeUnit.SECONDS);
    return new Sent(m.topic(), m.partition(), m.offset());
  }

  private synchronized KafkaProducer<String, String> producer() throws NotReady, IOException {
    if (producer == null) {
      if (!Files.isRegularFile(settings)) {
        throw new NotReady("Kafka is not ready yet (no " + settings + ")");
      }
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(settings)) {
        p.load(in);
      }
      p.put(ProducerConfig.CLIENT_ID_CONFIG, "frontend");
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
      p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
      producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }
    return producer;
  }

  @Override
  public synchronized void close() {
    if (producer != null) {
      producer.close();
    }
  }
}
