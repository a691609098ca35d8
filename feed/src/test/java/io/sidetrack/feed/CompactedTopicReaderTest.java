package io.sidetrack.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The reader against Kafka's {@code MockConsumer}: the failure paths a broker rarely shows. */
@Timeout(30)
class CompactedTopicReaderTest {
  private static final String TOPIC = "t";
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final SlowMockConsumer consumer = new SlowMockConsumer();
  private final Recorder handler = new Recorder();
  private CompactedTopicReader<String, String> reader;

  @AfterEach
  void close() {
    if (reader != null) {
      reader.close();
    }
  }

  private CompactedTopicReader<String, String> start(Deserializer<String> values) {
    reader =
        CompactedTopicReader.builder("test-reader", new StringDeserializer(), values)
            .consumer(() -> consumer)
            .source(Source.all(TOPIC))
            .handler(handler)
            .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
            .build();
    reader.start();
    return reader;
  }

  private void partitions(int n) {
    PartitionInfo[] infos = new PartitionInfo[n];
    Node node = new Node(1, "localhost", 9092);
    for (int i = 0; i < n; i++) {
      infos[i] = new PartitionInfo(TOPIC, i, node, new Node[] {node}, new Node[] {node});
    }
    consumer.updatePartitions(TOPIC, List.of(infos));
  }

  @Test
  void readsToTheEndCapturedAtStartThenTails() throws Exception {
    partitions(1);
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.updateEndOffsets(Map.of(P0, 2L));
    consumer.schedulePollTask(
        () -> {
          consumer.addRecord(record(0, "a", "1"));
          consumer.addRecord(record(1, "b", "2"));
        });
    start(new StringDeserializer());

    assertThat(reader.caughtUp().get()).isEqualTo(Map.of(P0, 2L));
    assertThat(handler.state).containsOnly(Map.entry("a", "1"), Map.entry("b", "2"));
    assertThat(handler.stateAtCatchUp).isEqualTo(Map.of("a", "1", "b", "2"));

    consumer.schedulePollTask(() -> consumer.addRecord(record(2, "a", null)));
    await().atMost(WAIT).until(() -> !handler.state.containsKey("a"));
    await().atMost(WAIT).until(() -> reader.appliedOffsets().get(P0) == 3L);
  }

  @Test
  void recordThatFailsToDeserializeOrApplyIsSkippedReportedAndPassed() {
    partitions(1);
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.updateEndOffsets(Map.of(P0, 0L));
    Deserializer<String> values =
        (topic, data) -> {
          String s = new String(data, StandardCharsets.UTF_8);
          if (s.equals("garbage")) {
            throw new IllegalArgumentException("not a value");
          }
          return s;
        };
    start(values);
    await().atMost(WAIT).until(reader::isCaughtUp);

    consumer.schedulePollTask(
        () -> {
          consumer.addRecord(record(0, "a", "garbage"));
          consumer.addRecord(record(1, "b", "poison"));
          consumer.addRecord(record(2, "c", "3"));
        });

    await().atMost(WAIT).until(() -> "3".equals(handler.state.get("c")));
    assertThat(handler.state).doesNotContainKeys("a", "b");
    assertThat(handler.skipped)
        .extracting(SkippedRecord::key, SkippedRecord::stage, SkippedRecord::offset)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", SkippedRecord.Stage.DESERIALIZE, 0L),
            org.assertj.core.groups.Tuple.tuple("b", SkippedRecord.Stage.APPLY, 1L));
    assertThat(reader.skippedCount()).isEqualTo(2);
    await().atMost(WAIT).until(() -> reader.appliedOffsets().get(P0) == 3L);
  }

  @Test
  void failingEndOffsetsAndPollAreRetried() {
    partitions(1);
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.updateEndOffsets(Map.of(P0, 1L));
    consumer.setOffsetsException(new TimeoutException("end offsets timed out"));
    consumer.schedulePollTask(() -> consumer.addRecord(record(0, "a", "1")));
    start(new StringDeserializer());

    await().atMost(WAIT).until(reader::isCaughtUp);

    consumer.setPollException(new KafkaException("poll failed"));
    consumer.schedulePollTask(() -> consumer.addRecord(record(1, "b", "2")));
    await().atMost(WAIT).until(() -> "2".equals(handler.state.get("b")));
  }

  @Test
  void failingBatchCallbackDoesNotStopTheReader() {
    partitions(1);
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.updateEndOffsets(Map.of(P0, 0L));
    handler.failNextBatch.set(true);
    start(new StringDeserializer());
    await().atMost(WAIT).until(reader::isCaughtUp);
    await().atMost(WAIT).until(() -> !handler.failNextBatch.get());

    consumer.schedulePollTask(() -> consumer.addRecord(record(0, "a", "1")));
    await().atMost(WAIT).until(() -> "1".equals(handler.state.get("a")));
  }

  @Test
  void grownTopicIsAssignedAgainAndItsNewPartitionReadFromTheBeginning() {
    partitions(1);
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.updateEndOffsets(Map.of(P0, 0L));
    reader =
        CompactedTopicReader.builder(
                "test-reader", new StringDeserializer(), new StringDeserializer())
            .consumer(() -> consumer)
            // the last partition, whatever the count
            .source(Source.partition(TOPIC, n -> n - 1))
            .handler(handler)
            .metadataCheck(Duration.ofMillis(10))
            .build();
    reader.start();
    await().atMost(WAIT).until(reader::isCaughtUp);
    assertThat(handler.assigned).containsExactly(Set.of(P0));

    TopicPartition p1 = new TopicPartition(TOPIC, 1);
    consumer.updateBeginningOffsets(Map.of(p1, 0L));
    consumer.updateEndOffsets(Map.of(p1, 1L));
    partitions(2);

    await().atMost(WAIT).until(() -> handler.assigned.size() == 2);
    assertThat(handler.assigned.get(1)).isEqualTo(Set.of(p1));
    assertThat(handler.removed).isEqualTo(Set.of(P0));
    assertThat(consumer.assignment()).containsExactly(p1);
    consumer.schedulePollTask(
        () -> consumer.addRecord(new ConsumerRecord<>(TOPIC, 1, 0, b("x"), b("9"))));
    await().atMost(WAIT).until(() -> handler.catchUps == 2);
    assertThat(handler.stateAtCatchUp).containsEntry("x", "9");
  }

  @Test
  void closeEndsTheThread() {
    partitions(1);
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.updateEndOffsets(Map.of(P0, 0L));
    start(new StringDeserializer());
    await().atMost(WAIT).until(reader::isCaughtUp);
    reader.close();
    assertThat(consumer.closed()).isTrue();
  }

  private static ConsumerRecord<byte[], byte[]> record(long offset, String key, String value) {
    return new ConsumerRecord<>(TOPIC, 0, offset, b(key), value == null ? null : b(value));
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Keeps the last value per key; a value "poison" cannot be applied. */
  private static final class Recorder implements RecordHandler<String, String> {
    final Map<String, String> state = new ConcurrentHashMap<>();
    final List<SkippedRecord> skipped = new CopyOnWriteArrayList<>();
    final List<Set<TopicPartition>> assigned = new CopyOnWriteArrayList<>();
    final AtomicBoolean failNextBatch = new AtomicBoolean();
    volatile Set<TopicPartition> removed = Set.of();
    volatile Map<String, String> stateAtCatchUp = Map.of();
    volatile int catchUps;

    @Override
    public void apply(FeedRecord<String, String> r) {
      if ("poison".equals(r.value())) {
        throw new IllegalStateException("cannot apply " + r.key());
      }
      if (r.value() == null) {
        state.remove(r.key());
      } else {
        state.put(r.key(), r.value());
      }
    }

    @Override
    public void assigned(Set<TopicPartition> added, Set<TopicPartition> removed) {
      assigned.add(added);
      if (!removed.isEmpty()) {
        this.removed = removed;
      }
    }

    @Override
    public void caughtUp(Map<TopicPartition, Long> applied) {
      stateAtCatchUp = Map.copyOf(state);
      catchUps++;
    }

    @Override
    public void afterBatch(Map<TopicPartition, Long> applied) {
      if (failNextBatch.compareAndSet(true, false)) {
        throw new IllegalStateException("listener failed");
      }
    }

    @Override
    public void skipped(SkippedRecord record) {
      skipped.add(record);
    }
  }

  /** A mock consumer whose poll waits a little, as a real one does, instead of spinning. */
  private static final class SlowMockConsumer extends MockConsumer<byte[], byte[]> {
    SlowMockConsumer() {
      super("earliest");
    }

    @Override
    public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
      try {
        wait(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return super.poll(timeout);
    }
  }
}
