package io.sidetrack.feed;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiPredicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Deserializes a poll's records for a {@link CompactedTopicReader}: on a pool of its own while the
 * reader catches up (so decoding overlaps the next fetch), else inline. A record whose key or value
 * does not deserialize becomes a {@link Decoded} carrying the failure, never an exception.
 */
final class RecordDecoder<K, V> {
  private static final int CHUNK = 2048;

  /** A record deserialized, or its {@code failure}; {@code keyText} names it in the log. */
  record Decoded<K, V>(
      ConsumerRecord<byte[], byte[]> raw,
      K key,
      V value,
      String keyText,
      RuntimeException failure) {}

  private final String name;
  private final Deserializer<K> keys;
  private final Deserializer<V> values;
  private final BiPredicate<String, K> filter;
  private final int threads;
  private ExecutorService pool;

  RecordDecoder(
      String name,
      Deserializer<K> keys,
      Deserializer<V> values,
      BiPredicate<String, K> filter,
      int threads) {
    this.name = name;
    this.keys = keys;
    this.values = values;
    this.filter = filter;
    this.threads = threads;
  }

  /** Starts decoding {@code records}: on the pool if {@code parallel} (and it has threads). */
  List<Future<List<Decoded<K, V>>>> decode(
      List<ConsumerRecord<byte[], byte[]>> records, boolean parallel) {
    if (records.isEmpty()) {
      return List.of();
    }
    if (!parallel || threads < 2) {
      return List.of(CompletableFuture.completedFuture(decodeAll(records)));
    }
    if (pool == null) {
      pool =
          Executors.newFixedThreadPool(
              threads,
              r -> {
                Thread t = new Thread(r, name + "-decode");
                t.setDaemon(true);
                return t;
              });
    }
    List<Future<List<Decoded<K, V>>>> chunks = new ArrayList<>();
    for (int i = 0; i < records.size(); i += CHUNK) {
      List<ConsumerRecord<byte[], byte[]>> chunk =
          records.subList(i, Math.min(records.size(), i + CHUNK));
      chunks.add(pool.submit(() -> decodeAll(chunk)));
    }
    return chunks;
  }

  /** The records of a chunk, waiting for it if need be. */
  static <K, V> List<Decoded<K, V>> await(Future<List<Decoded<K, V>>> chunk) {
    try {
      return chunk.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    } catch (ExecutionException e) {
      // decodeAll catches per record: this is a bug, not a record
      throw new IllegalStateException("decoding failed", e.getCause());
    }
  }

  private List<Decoded<K, V>> decodeAll(List<ConsumerRecord<byte[], byte[]>> records) {
    List<Decoded<K, V>> out = new ArrayList<>(records.size());
    for (ConsumerRecord<byte[], byte[]> r : records) {
      K key;
      try {
        key = keys.deserialize(r.topic(), r.key());
      } catch (RuntimeException e) {
        out.add(new Decoded<>(r, null, null, "<undecodable key>", e));
        continue;
      }
      if (!filter.test(r.topic(), key)) {
        continue;
      }
      try {
        V value = r.value() == null ? null : values.deserialize(r.topic(), r.value());
        out.add(new Decoded<>(r, key, value, String.valueOf(key), null));
      } catch (RuntimeException e) {
        out.add(new Decoded<>(r, key, null, String.valueOf(key), e));
      }
    }
    return out;
  }

  /** Lets the pool's threads go (once caught up); a later {@link #decode} starts it again. */
  void idle() {
    if (pool != null) {
      pool.shutdown();
      pool = null;
    }
  }

  void close() {
    if (pool != null) {
      pool.shutdownNow();
      pool = null;
    }
  }
}
