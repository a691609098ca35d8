package io.sidetrack.feed;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;

/** Builds a {@link CompactedTopicReader}: {@link CompactedTopicReader#builder}. */
public final class CompactedTopicReaderBuilder<K, V> {
  final String name;
  final Deserializer<K> keys;
  final Deserializer<V> values;
  final Map<String, Object> props = new HashMap<>();
  final List<Source> sources = new ArrayList<>();
  BiPredicate<String, K> filter = (topic, key) -> true;
  RecordHandler<K, V> handler;
  Supplier<Consumer<byte[], byte[]>> consumers;
  int decodeThreads = 1;
  Duration metadataCheck = Duration.ofSeconds(1);
  Duration reachabilityCheck = Duration.ofSeconds(2);
  Duration backoffMin = Duration.ofMillis(100);
  Duration backoffMax = Duration.ofSeconds(5);

  CompactedTopicReaderBuilder(String name, Deserializer<K> keys, Deserializer<V> values) {
    this.name = requireNonNull(name, "name");
    this.keys = requireNonNull(keys, "keys");
    this.values = requireNonNull(values, "values");
  }

  /** Consumer settings ({@code bootstrap.servers} and the like); the reader sets no group. */
  public CompactedTopicReaderBuilder<K, V> consumerProperties(Map<String, ?> properties) {
    props.putAll(requireNonNull(properties, "properties"));
    return this;
  }

  /** A topic to read; at least one. */
  public CompactedTopicReaderBuilder<K, V> source(Source source) {
    sources.add(requireNonNull(source, "source"));
    return this;
  }

  /** Which records reach the handler (given topic and key); the others are passed over. */
  public CompactedTopicReaderBuilder<K, V> filter(BiPredicate<String, K> filter) {
    this.filter = requireNonNull(filter, "filter");
    return this;
  }

  public CompactedTopicReaderBuilder<K, V> handler(RecordHandler<K, V> handler) {
    this.handler = requireNonNull(handler, "handler");
    return this;
  }

  /** Threads that deserialize fetched records while catching up (1: on the reader's thread). */
  public CompactedTopicReaderBuilder<K, V> decodeThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("decodeThreads must be 1 or more, got " + threads);
    }
    this.decodeThreads = threads;
    return this;
  }

  /** How often partition counts are compared (against the consumer's cached metadata). */
  public CompactedTopicReaderBuilder<K, V> metadataCheck(Duration every) {
    this.metadataCheck = requireNonNull(every, "every");
    return this;
  }

  /** How often Kafka is asked for end offsets to tell whether it is reachable. */
  public CompactedTopicReaderBuilder<K, V> reachabilityCheck(Duration every) {
    this.reachabilityCheck = requireNonNull(every, "every");
    return this;
  }

  /** The back-off after a failure of the poll loop: doubles from {@code min} to {@code max}. */
  public CompactedTopicReaderBuilder<K, V> backoff(Duration min, Duration max) {
    this.backoffMin = requireNonNull(min, "min");
    this.backoffMax = requireNonNull(max, "max");
    return this;
  }

  /** The consumer to read with (tests); by default a {@link KafkaConsumer} of the properties. */
  public CompactedTopicReaderBuilder<K, V> consumer(Supplier<Consumer<byte[], byte[]>> consumers) {
    this.consumers = requireNonNull(consumers, "consumers");
    return this;
  }

  public CompactedTopicReader<K, V> build() {
    if (sources.isEmpty()) {
      throw new IllegalStateException("no source to read");
    }
    requireNonNull(handler, "handler");
    return new CompactedTopicReader<>(this);
  }
}
