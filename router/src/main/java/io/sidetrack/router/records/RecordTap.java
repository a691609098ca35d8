package io.sidetrack.router.records;

import io.sidetrack.core.records.RecordRouting;
import io.sidetrack.kafka.interceptor.internal.RecordFilter;
import io.sidetrack.router.records.RecordStream.Read;
import io.sidetrack.router.records.RecordStream.Taken;
import io.sidetrack.tunnel.Mux;
import io.sidetrack.tunnel.TunnelRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the topics of one intercept for the developer, in a consumer group of its own ({@code
 * sidetrack.records.<intercept id>}), and hands the records the intercept takes to its {@link
 * RecordStream}: the decision is the one the workload's consumers make ({@link RecordFilter} in
 * developer mode, on the workload's routes as this router reads them), so a record the cluster's
 * consumers skip is the record the developer gets.
 *
 * <p>The tap is made when the intercept is registered: it notes where each partition of the topics
 * ends then, and waits for the intercept to be active. A partition the group has no offset for
 * starts where it ended at the registration, so no record appended once the workload's consumers
 * could skip it is lost (whatever timestamp its producer gave it); those starting offsets are
 * committed at once, so a tunnel that comes back goes on from them. Offsets are committed up to the
 * records the CLI wrote into its broker: a tunnel that breaks and comes back (through any router)
 * goes on where the developer's broker stopped, and records in flight when it broke come again (at
 * least once).
 *
 * <p>Its consumer lives on a thread of its own; it reads no more while the stream holds more than a
 * window the CLI has not taken.
 */
final class RecordTap implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RecordTap.class);
  private static final Duration POLL = Duration.ofMillis(200);

  /** A paused poll returns nothing: wait only this long before looking at the stream again. */
  private static final Duration PAUSED_POLL = Duration.ofMillis(5);

  private static final long COMMIT_EVERY_MS = 1_000;

  private final String interceptId;
  private final List<String> topics;
  private final RecordStream stream;
  private final Supplier<RecordRouting> routing;
  private final Runnable relayed;
  private final Map<String, Object> consumerProperties;

  /**
   * Made on the tap's own thread: a consumer's construction resolves the bootstrap addresses (DNS),
   * which must not happen on the tunnel's event loop that prepares the tap.
   */
  private volatile KafkaConsumer<byte[], byte[]> consumer;

  private final RecordFilter filter;
  private final Thread thread;
  private final CountDownLatch active = new CountDownLatch(1);
  private Map<TopicPartition, Long> endsAtRegistration = Map.of();
  private final Map<String, Integer> partitionCounts = new HashMap<>();
  private final Map<TopicPartition, TreeSet<Long>> unacknowledged = new HashMap<>();
  private final Map<TopicPartition, Long> polledTo = new HashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  private volatile boolean running = true;
  private long lastCommit;
  private String lastProblem;

  RecordTap(
      String interceptId,
      List<String> topics,
      RecordStream stream,
      Supplier<RecordRouting> routing,
      Runnable relayed,
      Map<String, Object> consumerProperties) {
    this.interceptId = interceptId;
    this.topics = List.copyOf(topics);
    this.stream = stream;
    this.routing = routing;
    this.relayed = relayed;
    this.filter = new RecordFilter(interceptId);
    this.consumerProperties = Map.copyOf(consumerProperties);
    this.thread = new Thread(this::run, "sidetrack-records-" + interceptId);
    thread.setDaemon(true);
  }

  /** Notes where the topics end now, then waits for {@link #activate}. */
  void start() {
    thread.start();
  }

  /** The intercept is active: relay its records. */
  void activate() {
    active.countDown();
  }

  private void run() {
    try {
      consumer = new KafkaConsumer<>(consumerProperties);
    } catch (RuntimeException e) {
      LOG.warn("Records of intercept {} not read: {}", interceptId, e.toString());
      return;
    }
    if (!running) {
      consumer.close(Duration.ZERO);
      return;
    }
    try {
      Map<String, Integer> counts = partitionCounts();
      endsAtRegistration = endOffsets(counts);
      while (running && !active.await(200, TimeUnit.MILLISECONDS)) {
        // registered, not active yet
      }
      if (!running) {
        return;
      }
      stream.open(counts);
      consumer.subscribe(topics, new StartAtRegistration());
      while (running) {
        boolean paused = pauseWhileTheStreamIsFull();
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(paused ? PAUSED_POLL : POLL);
          lastProblem = null;
        } catch (WakeupException e) {
          break;
        } catch (RuntimeException e) {
          problem(e);
          sleep(1_000);
          continue;
        }
        take(records);
        commitAcknowledged(false);
      }
    } catch (WakeupException e) {
      // closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("Records of intercept {} stopped: {}", interceptId, e.toString());
    } finally {
      try {
        commitAcknowledged(true);
      } catch (RuntimeException e) {
        LOG.debug("Final commit of the records of {}: {}", interceptId, e.toString());
      }
      consumer.close(Duration.ofSeconds(2));
    }
  }

  /** Pauses the topics while the stream holds more than a window, resumes after; whether paused. */
  private boolean pauseWhileTheStreamIsFull() {
    if (stream.backlog() > Mux.WINDOW) {
      consumer.pause(consumer.assignment());
      return true;
    }
    if (!consumer.paused().isEmpty()) {
      consumer.resume(consumer.paused());
    }
    return false;
  }

  private void take(ConsumerRecords<byte[], byte[]> records) {
    if (records.isEmpty()) {
      return;
    }
    RecordRouting now = routing.get();
    List<Taken> taken = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      polledTo.put(tp, r.offset() + 1);
      if (!filter.keeps(r.topic(), r, now)) {
        continue;
      }
      unacknowledged.computeIfAbsent(tp, p -> new TreeSet<>()).add(r.offset());
      taken.add(new Taken(toTunnel(r), new Read(tp, r.offset())));
    }
    if (!taken.isEmpty()) {
      taken.forEach(t -> relayed.run());
      stream.offer(taken);
    }
  }

  private TunnelRecord toTunnel(ConsumerRecord<byte[], byte[]> r) {
    List<TunnelRecord.Header> headers = new ArrayList<>();
    for (Header h : r.headers()) {
      headers.add(new TunnelRecord.Header(h.key(), h.value()));
    }
    return new TunnelRecord(
        r.topic(),
        partitionCount(r.topic(), r.partition()),
        r.partition(),
        r.offset(),
        r.timestamp(),
        r.key(),
        r.value(),
        headers);
  }

  /** Where each partition of the topics ends now (empty where Kafka does not answer). */
  private Map<TopicPartition, Long> endOffsets(Map<String, Integer> counts) {
    List<TopicPartition> all = new ArrayList<>();
    counts.forEach(
        (topic, n) -> {
          for (int p = 0; p < n; p++) {
            all.add(new TopicPartition(topic, p));
          }
        });
    if (all.isEmpty()) {
      return Map.of();
    }
    try {
      return consumer.endOffsets(all, Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      problem(e);
      return Map.of();
    }
  }

  /** Each topic's partitions, as the cluster has them now (0 for a topic it does not have yet). */
  private Map<String, Integer> partitionCounts() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String topic : topics) {
      int n = 0;
      try {
        List<PartitionInfo> info = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        n = info == null ? 0 : info.size();
      } catch (RuntimeException e) {
        problem(e);
      }
      if (n == 0) {
        LOG.warn(
            "Intercept {} takes the records of topic {}, which the cluster does not have (yet)",
            interceptId,
            topic);
      } else {
        partitionCounts.put(topic, n);
      }
      counts.put(topic, n);
    }
    return counts;
  }

  private int partitionCount(String topic, int partition) {
    Integer n = partitionCounts.get(topic);
    if (n == null || partition >= n) {
      n = Math.max(partition + 1, consumer.partitionsFor(topic).size());
      partitionCounts.put(topic, n);
    }
    return n;
  }

  /** Commits, for each partition, up to the first record the CLI has not written yet. */
  private void commitAcknowledged(boolean now) {
    stream.acknowledged(
        read -> {
          TreeSet<Long> open = unacknowledged.get(read.partition());
          if (open != null) {
            open.remove(read.offset());
          }
        });
    long t = System.currentTimeMillis();
    if (!now && t - lastCommit < COMMIT_EVERY_MS) {
      return;
    }
    lastCommit = t;
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    for (Map.Entry<TopicPartition, Long> e : polledTo.entrySet()) {
      TreeSet<Long> open = unacknowledged.get(e.getKey());
      long upTo = open == null || open.isEmpty() ? e.getValue() : open.first();
      if (!Long.valueOf(upTo).equals(committed.get(e.getKey()))) {
        commit.put(e.getKey(), new OffsetAndMetadata(upTo));
      }
    }
    if (commit.isEmpty()) {
      return;
    }
    if (now) {
      consumer.commitSync(commit, Duration.ofSeconds(2));
      commit.forEach((tp, o) -> committed.put(tp, o.offset()));
    } else {
      consumer.commitAsync(
          commit,
          (done, e) -> {
            if (e == null) {
              done.forEach((tp, o) -> committed.put(tp, o.offset()));
            }
          });
    }
  }

  private void problem(RuntimeException e) {
    String what = e.toString();
    if (!what.equals(lastProblem)) {
      LOG.warn("Reading the records of intercept {} ({}): {}", interceptId, topics, what);
      lastProblem = what;
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops reading, commits what the CLI wrote, and leaves the group; returns at once. */
  @Override
  public void close() {
    running = false;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  /** A partition the group has no offset for starts where it ended at the registration. */
  private final class StartAtRegistration implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      try {
        commitAcknowledged(true);
      } catch (RuntimeException e) {
        LOG.debug("Commit before a rebalance of {}: {}", interceptId, e.toString());
      }
      for (TopicPartition tp : partitions) {
        unacknowledged.remove(tp);
        polledTo.remove(tp);
        committed.remove(tp);
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      Map<TopicPartition, OffsetAndMetadata> known = consumer.committed(new HashSet<>(partitions));
      Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
      for (TopicPartition tp : partitions) {
        if (known.get(tp) != null) {
          continue;
        }
        // a partition made after the registration holds only records appended after it
        long at = endsAtRegistration.getOrDefault(tp, 0L);
        consumer.seek(tp, at);
        start.put(tp, new OffsetAndMetadata(at));
      }
      if (start.isEmpty()) {
        return;
      }
      // committed at once: a tunnel that breaks before the first record goes on from here too
      consumer.commitSync(start, Duration.ofSeconds(5));
      start.forEach((tp, o) -> committed.put(tp, o.offset()));
      LOG.info(
          "Records of intercept {}: read from where they ended at its registration {}",
          interceptId,
          start);
    }
  }
}
