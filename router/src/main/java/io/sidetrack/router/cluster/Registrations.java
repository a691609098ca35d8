package io.sidetrack.router.cluster;

import io.sidetrack.core.Intercept;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.serde.AvroSerde;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes registrations, renewals and tombstones to {@code sidetrack.intercepts}. */
public final class Registrations implements AutoCloseable {
  private final String topic;
  private final AvroSerde<InterceptRegistration> serde;
  private final KafkaProducer<String, byte[]> producer;

  public Registrations(
      String bootstrapServers,
      Map<String, String> kafkaProperties,
      String topic,
      AvroSerde<InterceptRegistration> serde) {
    this.topic = topic;
    this.serde = serde;
    Map<String, Object> props = new HashMap<>(kafkaProperties);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  /** Fetches the topic's metadata now, so that the first registration does not wait for it. */
  public void warmUp() {
    producer.partitionsFor(topic);
  }

  /** Publishes a registration (or its renewal). */
  public CompletableFuture<Void> publish(Intercept intercept) {
    return send(intercept.id(), serde.serialize(topic, AvroMapping.toRegistration(intercept)));
  }

  /** Publishes the tombstone of an intercept. */
  public CompletableFuture<Void> remove(String interceptId) {
    return send(interceptId, null);
  }

  private CompletableFuture<Void> send(String key, byte[] value) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      producer.send(
          new ProducerRecord<>(topic, key, value),
          (meta, e) -> {
            if (e != null) {
              done.completeExceptionally(e);
            } else {
              done.complete(null);
            }
          });
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
