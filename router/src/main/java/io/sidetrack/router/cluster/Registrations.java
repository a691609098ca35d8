package io.sidetrack.router.cluster;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.Intercept;
import io.sidetrack.core.trust.RouteSigner;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.serde.AvroSerde;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes registrations, renewals and tombstones to {@code sidetrack.intercepts}, each registration
 * signed with the router's key.
 *
 * <p>Sessions call it on an event loop, but serializing may ask the schema registry over HTTP and
 * {@code send} may wait up to {@code max.block.ms} for metadata or buffer space: both run on one
 * dedicated thread (one, so a renewal never overtakes the tombstone after it), and every failure
 * completes the returned future rather than escaping to the caller.
 */
public final class Registrations implements Registrar, AutoCloseable {
  private final String topic;
  private final Function<Intercept, byte[]> serializer;
  private final Producer<String, byte[]> producer;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "sidetrack-registrations");
            t.setDaemon(true);
            return t;
          });

  public Registrations(
      String bootstrapServers,
      Map<String, String> kafkaProperties,
      String topic,
      AvroSerde<InterceptRegistration> serde,
      RouteSigner signer) {
    this(
        producer(bootstrapServers, kafkaProperties),
        topic,
        signed(
            requireNonNull(signer, "signer"),
            i -> serde.serialize(topic, AvroMapping.toRegistration(i))));
  }

  /**
   * Signs each registration (first and renewals alike: the lease is not signed, so a renewal
   * carries the same signature) before {@code serializer} makes its value; on the writer's thread,
   * never the event loop.
   */
  static Function<Intercept, byte[]> signed(
      RouteSigner signer, Function<Intercept, byte[]> serializer) {
    return i -> serializer.apply(signer.sign(i));
  }

  /** A writer on the given producer; {@code serializer} makes a registration's value. */
  Registrations(
      Producer<String, byte[]> producer, String topic, Function<Intercept, byte[]> serializer) {
    this.producer = requireNonNull(producer, "producer");
    this.topic = requireNonNull(topic, "topic");
    this.serializer = requireNonNull(serializer, "serializer");
  }

  private static KafkaProducer<String, byte[]> producer(
      String bootstrapServers, Map<String, String> kafkaProperties) {
    Map<String, Object> props = new HashMap<>(kafkaProperties);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * Fetches the topic's metadata now, so that the first registration does not wait for it; blocks,
   * call it off the event loop.
   */
  public void warmUp() {
    producer.partitionsFor(topic);
  }

  @Override
  public CompletableFuture<Void> publish(Intercept intercept) {
    requireNonNull(intercept, "intercept");
    return send(intercept.id(), intercept);
  }

  @Override
  public CompletableFuture<Void> remove(String interceptId) {
    requireNonNull(interceptId, "interceptId");
    return send(interceptId, null);
  }

  private CompletableFuture<Void> send(String key, Intercept intercept) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    // the record's time is when the registration was made, not when the worker got to send it:
    // with Kafka away, sends queue behind each other for minutes, and registry-stream judges a
    // renewal by when it was written (one stamped after its own lease ended looks invalid)
    long madeAt = System.currentTimeMillis();
    try {
      worker.execute(
          () -> {
            try {
              byte[] value = intercept == null ? null : serializer.apply(intercept);
              producer.send(
                  new ProducerRecord<>(topic, null, madeAt, key, value),
                  (meta, e) -> {
                    if (e != null) {
                      done.completeExceptionally(e);
                    } else {
                      done.complete(null);
                    }
                  });
            } catch (Throwable e) { // serializer, registry, send: all go back to the session
              done.completeExceptionally(e);
            }
          });
    } catch (RuntimeException e) { // closed
      done.completeExceptionally(e);
    }
    return done;
  }

  @Override
  public void close() {
    worker.shutdown();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
