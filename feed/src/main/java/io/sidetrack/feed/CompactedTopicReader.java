package io.sidetrack.feed;

import io.sidetrack.feed.RecordDecoder.Decoded;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads compacted topics into the caller's state on a thread of its own: assigns the partitions its
 * {@link Source}s pick (no consumer group), reads them to the end offsets captured when they were
 * assigned ({@link #caughtUp()}), then tails them. Per-record failures (a key or value that does
 * not deserialize, a {@link RecordHandler#apply} that throws) are caught here, in one place: the
 * record is skipped, counted, logged on one line and reported. Any other failure (Kafka
 * unreachable, a topic not there yet, the handler's batch callback) is logged and retried with
 * back-off: the thread ends only on {@link #close()}. When a topic's partition count changes the
 * partitions are derived again, and newly picked ones are read from their beginning.
 */
public final class CompactedTopicReader<K, V> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CompactedTopicReader.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration OFFSETS_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(10);

  private final String name;
  private final List<Source> sources;
  private final RecordDecoder<K, V> decoder;
  private final RecordHandler<K, V> handler;
  private final Supplier<Consumer<byte[], byte[]>> consumers;
  private final Duration metadataCheck;
  private final Duration reachabilityCheck;
  private final Duration backoffMin;
  private final Duration backoffMax;
  private final Thread thread;
  private final CountDownLatch closing = new CountDownLatch(1);
  private final CompletableFuture<Map<TopicPartition, Long>> caughtUp = new CompletableFuture<>();
  private final AtomicLong skipped = new AtomicLong();

  // the reader thread's own state
  private final Map<String, Set<Integer>> chosen = new HashMap<>();
  private final Map<String, Integer> counts = new HashMap<>();
  private final Map<TopicPartition, Long> targets = new HashMap<>();
  private final Map<TopicPartition, Long> applied = new HashMap<>();
  private final ArrayDeque<Pending<K, V>> pending = new ArrayDeque<>();
  private boolean awaitingCatchUp;

  private volatile Consumer<byte[], byte[]> consumer;
  private volatile boolean running = true;
  private volatile boolean reachable;
  private volatile boolean everCaughtUp;
  private volatile Map<TopicPartition, Long> appliedView = Map.of();

  CompactedTopicReader(CompactedTopicReaderBuilder<K, V> b) {
    this.name = b.name;
    this.sources = List.copyOf(b.sources);
    this.decoder = new RecordDecoder<>(name, b.keys, b.values, b.filter, b.decodeThreads);
    this.handler = b.handler;
    this.metadataCheck = b.metadataCheck;
    this.reachabilityCheck = b.reachabilityCheck;
    this.backoffMin = b.backoffMin;
    this.backoffMax = b.backoffMax;
    if (b.consumers != null) {
      this.consumers = b.consumers;
    } else {
      Map<String, Object> props = new HashMap<>(b.props);
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      // a grown topic is noticed within this (Kafka's default is five minutes)
      props.putIfAbsent(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 30_000);
      this.consumers =
          () ->
              new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
  }

  /**
   * A builder of a reader named {@code name} (its thread's name, and the prefix of its log lines).
   */
  public static <K, V> CompactedTopicReaderBuilder<K, V> builder(
      String name, Deserializer<K> keys, Deserializer<V> values) {
    return new CompactedTopicReaderBuilder<>(name, keys, values);
  }

  /** Starts reading in the background. */
  public void start() {
    thread.start();
  }

  /**
   * Completes with the end offsets captured at the first assignment once they are all applied;
   * fails if the reader is closed before.
   */
  public CompletableFuture<Map<TopicPartition, Long>> caughtUp() {
    return caughtUp;
  }

  /** Whether every partition read from the beginning was read to its end at least once. */
  public boolean isCaughtUp() {
    return everCaughtUp;
  }

  /** Whether Kafka answered the last check (every few seconds). */
  public boolean kafkaReachable() {
    return reachable;
  }

  /** Per assigned partition, the offset before which every record is applied (or skipped). */
  public Map<TopicPartition, Long> appliedOffsets() {
    return appliedView;
  }

  /** How many records were skipped. */
  public long skippedCount() {
    return skipped.get();
  }

  private void run() {
    try (Consumer<byte[], byte[]> c = consumers.get()) {
      consumer = c;
      if (!running) {
        return;
      }
      loop(c);
    } catch (WakeupException | InterruptException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("{}: cannot read (no consumer): {}", name, e.toString(), e);
    } finally {
      decoder.close();
      caughtUp.completeExceptionally(new IllegalStateException(name + " closed"));
    }
  }

  private void loop(Consumer<byte[], byte[]> c) {
    boolean assigned = false;
    long backoff = backoffMin.toMillis();
    long nextMetadata = 0;
    long nextProbe = 0;
    while (running) {
      try {
        if (!assigned) {
          assignAll(c);
          assigned = true;
          nextMetadata = System.nanoTime() + metadataCheck.toNanos();
          nextProbe = System.nanoTime() + reachabilityCheck.toNanos();
        }
        ConsumerRecords<byte[], byte[]> records = c.poll(POLL);
        enqueue(c, records);
        drain(!awaitingCatchUp);
        long now = System.nanoTime();
        if (now >= nextMetadata) {
          reassignIfGrown(c);
          nextMetadata = System.nanoTime() + metadataCheck.toNanos();
        }
        if (now >= nextProbe) {
          probe(c);
          nextProbe = System.nanoTime() + reachabilityCheck.toNanos();
        }
        backoff = backoffMin.toMillis();
      } catch (WakeupException | InterruptException e) {
        if (!running) {
          return;
        }
        LOG.warn("{}: interrupted ({}); going on", name, e.toString());
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        if (e instanceof TimeoutException) {
          reachable(false);
        }
        LOG.warn("{}: {}; retrying in {} ms", name, e.toString(), backoff);
        pause(backoff);
        backoff = Math.min(backoffMax.toMillis(), backoff * 2);
      }
    }
  }

  /** Assigns every source's partitions and captures the end offsets to read up to. */
  private void assignAll(Consumer<byte[], byte[]> c) {
    Map<String, Set<Integer>> picked = new HashMap<>();
    Map<String, Integer> sizes = new HashMap<>();
    for (Source s : sources) {
      List<PartitionInfo> infos = c.partitionsFor(s.topic(), METADATA_TIMEOUT);
      reachable(true);
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic " + s.topic() + " does not exist yet");
      }
      sizes.put(s.topic(), infos.size());
      picked.put(s.topic(), pick(s, infos.size()));
    }
    Set<TopicPartition> all = new HashSet<>();
    List<TopicPartition> beginning = new ArrayList<>();
    List<TopicPartition> end = new ArrayList<>();
    for (Source s : sources) {
      for (int p : picked.get(s.topic())) {
        TopicPartition tp = new TopicPartition(s.topic(), p);
        all.add(tp);
        (s.fromBeginning() ? beginning : end).add(tp);
      }
    }
    c.assign(all);
    // (an empty list would mean every assigned partition)
    if (!beginning.isEmpty()) {
      c.seekToBeginning(beginning);
    }
    if (!end.isEmpty()) {
      c.seekToEnd(end);
    }
    Map<TopicPartition, Long> ends = c.endOffsets(beginning, OFFSETS_TIMEOUT);
    chosen.clear();
    chosen.putAll(picked);
    counts.clear();
    counts.putAll(sizes);
    pending.clear();
    targets.clear();
    targets.putAll(ends);
    applied.clear();
    all.forEach(tp -> applied.put(tp, 0L));
    awaitingCatchUp = true;
    publishApplied();
    LOG.info("{}: reading {} ({} to catch up with)", name, all, ends);
    handler.assigned(Set.copyOf(all), Set.of());
    checkCaughtUp();
  }

  private static Set<Integer> pick(Source s, int count) {
    Set<Integer> out = new HashSet<>();
    for (int p : s.partitions().apply(count)) {
      if (p >= 0 && p < count) {
        out.add(p);
      }
    }
    return out;
  }

  /** Derives the partitions again when a topic's partition count changed. */
  private void reassignIfGrown(Consumer<byte[], byte[]> c) {
    for (Source s : sources) {
      List<PartitionInfo> infos;
      try {
        infos = c.partitionsFor(s.topic(), PROBE_TIMEOUT);
      } catch (TimeoutException e) {
        return; // Kafka away: the probe says so; counts are compared again next time
      }
      if (infos == null || infos.isEmpty() || infos.size() == counts.get(s.topic())) {
        continue;
      }
      int count = infos.size();
      Set<Integer> now = pick(s, count);
      Set<Integer> before = chosen.get(s.topic());
      if (now.equals(before)) {
        LOG.info("{}: {} has {} partitions now; still reading {}", name, s.topic(), count, now);
        counts.put(s.topic(), count);
        continue;
      }
      // what was fetched from the old partitions is applied before they go
      drain(true);
      Set<TopicPartition> added = new HashSet<>();
      Set<TopicPartition> removed = new HashSet<>();
      now.stream().filter(p -> !before.contains(p)).forEach(p -> added.add(tp(s, p)));
      before.stream().filter(p -> !now.contains(p)).forEach(p -> removed.add(tp(s, p)));
      Set<TopicPartition> assignment = new HashSet<>(c.assignment());
      assignment.removeAll(removed);
      assignment.addAll(added);
      c.assign(assignment);
      if (added.isEmpty()) {
        // partitions only removed: nothing to read
      } else if (s.fromBeginning()) {
        c.seekToBeginning(added);
        targets.putAll(c.endOffsets(added, OFFSETS_TIMEOUT));
        awaitingCatchUp = true;
      } else {
        c.seekToBeginning(added); // a new partition holds only what was written after it came
      }
      removed.forEach(
          tp -> {
            applied.remove(tp);
            targets.remove(tp);
          });
      added.forEach(tp -> applied.put(tp, 0L));
      chosen.put(s.topic(), now);
      counts.put(s.topic(), count);
      publishApplied();
      LOG.info(
          "{}: {} has {} partitions now; reading {} (was {})", name, s.topic(), count, now, before);
      handler.assigned(Set.copyOf(added), Set.copyOf(removed));
      checkCaughtUp();
    }
  }

  private static TopicPartition tp(Source s, int p) {
    return new TopicPartition(s.topic(), p);
  }

  private void probe(Consumer<byte[], byte[]> c) {
    try {
      c.endOffsets(c.assignment(), PROBE_TIMEOUT);
      reachable(true);
    } catch (TimeoutException e) {
      reachable(false);
    }
  }

  private void reachable(boolean now) {
    if (now && !reachable && everCaughtUp) {
      LOG.info("{}: Kafka reachable again", name);
    } else if (!now && reachable) {
      LOG.warn("{}: Kafka unreachable; keeping what was read", name);
    }
    reachable = now;
  }

  /**
   * Queues a poll's records, deserialized in parallel while catching up (so the next fetch
   * overlaps), with the positions they take the partitions to.
   */
  private void enqueue(Consumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, Long> after = positions(c, records);
    List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>(records.count());
    records.forEach(all::add);
    pending.add(new Pending<>(decoder.decode(all, awaitingCatchUp), after));
  }

  private Map<TopicPartition, Long> positions(
      Consumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, Long> out = new HashMap<>();
    for (TopicPartition tp : c.assignment()) {
      long at;
      try {
        at = c.position(tp, Duration.ZERO);
      } catch (TimeoutException e) {
        at = -1; // not known yet: what its records say, else what was applied
      }
      for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
        at = Math.max(at, r.offset() + 1);
      }
      if (at >= 0) {
        out.put(tp, at);
      }
    }
    return out;
  }

  /** Applies the queued polls in order: those decoded so far, or all of them if {@code wait}. */
  private void drain(boolean wait) {
    while (!pending.isEmpty() && (wait || pending.peek().done())) {
      Pending<K, V> p = pending.poll();
      for (Future<List<Decoded<K, V>>> chunk : p.chunks()) {
        for (Decoded<K, V> d : RecordDecoder.await(chunk)) {
          apply(d);
        }
      }
      p.after()
          .forEach(
              (tp, at) -> {
                if (applied.containsKey(tp)) {
                  applied.merge(tp, at, Math::max);
                }
              });
      publishApplied();
      checkCaughtUp();
      handler.afterBatch(appliedView);
    }
  }

  private void apply(Decoded<K, V> d) {
    ConsumerRecord<byte[], byte[]> r = d.raw();
    if (d.failure() != null) {
      skip(r, d.keyText(), SkippedRecord.Stage.DESERIALIZE, d.failure());
      return;
    }
    try {
      handler.apply(new FeedRecord<>(r.topic(), r.partition(), r.offset(), d.key(), d.value()));
    } catch (Exception e) {
      skip(r, d.keyText(), SkippedRecord.Stage.APPLY, e);
    }
  }

  private void skip(
      ConsumerRecord<byte[], byte[]> r, String key, SkippedRecord.Stage stage, Throwable e) {
    skipped.incrementAndGet();
    SkippedRecord s = new SkippedRecord(r.topic(), r.partition(), r.offset(), key, stage, e);
    LOG.warn(
        "{}: record {} at {}-{}@{} skipped ({}): {}",
        name,
        key,
        r.topic(),
        r.partition(),
        r.offset(),
        stage == SkippedRecord.Stage.APPLY ? "cannot apply" : "cannot deserialize",
        s.reason());
    try {
      handler.skipped(s);
    } catch (RuntimeException failed) {
      LOG.warn("{}: reporting a skipped record failed: {}", name, failed.toString());
    }
  }

  private void checkCaughtUp() {
    if (!awaitingCatchUp) {
      return;
    }
    for (Map.Entry<TopicPartition, Long> t : targets.entrySet()) {
      if (applied.getOrDefault(t.getKey(), 0L) < t.getValue()) {
        return;
      }
    }
    // the handler publishes what it read before anyone is told it is caught up (if it throws,
    // the next poll tries again)
    handler.caughtUp(appliedView);
    awaitingCatchUp = false;
    Map<TopicPartition, Long> ends = Map.copyOf(targets);
    targets.clear();
    decoder.idle();
    everCaughtUp = true;
    caughtUp.complete(ends);
  }

  private void publishApplied() {
    appliedView = Map.copyOf(applied);
  }

  private void pause(long ms) {
    try {
      closing.await(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops reading and waits for the reader's thread to end. */
  @Override
  public void close() {
    running = false;
    closing.countDown();
    Consumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (Thread.currentThread() != thread) {
      try {
        thread.join(JOIN_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        LOG.warn("{}: reader thread still running {} after close", name, JOIN_TIMEOUT);
      }
    }
  }

  /** One poll: its records being decoded, and where it takes each partition. */
  private record Pending<K, V>(
      List<Future<List<Decoded<K, V>>>> chunks, Map<TopicPartition, Long> after) {
    boolean done() {
      return chunks.stream().allMatch(Future::isDone);
    }
  }
}
