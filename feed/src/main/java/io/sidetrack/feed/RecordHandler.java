package io.sidetrack.feed;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * What a {@link CompactedTopicReader} tells its owner, always on the reader's own thread, in this
 * order: {@link #assigned} when it (re)assigns partitions, {@link #apply} for each record of a
 * poll, {@link #caughtUp} once every partition read from the beginning reached the end offsets
 * captured when it was assigned, then {@link #afterBatch} after every poll.
 */
public interface RecordHandler<K, V> {

  /**
   * Applies one record. Throwing skips it: the reader reports it to {@link #skipped}, logs it, and
   * goes on with the next.
   */
  void apply(FeedRecord<K, V> record) throws Exception;

  /**
   * Partitions were assigned: at start, and again when a topic's partition count changed the
   * partitions its {@link Source} picks. The {@code added} ones are read from their beginning
   * (those of a tailed source from their end); {@code caughtUp} follows once they are read.
   */
  default void assigned(Set<TopicPartition> added, Set<TopicPartition> removed) {}

  /**
   * Every partition read from the beginning reached its end offset captured at its assignment.
   *
   * @param applied the offset applied up to, per assigned partition
   */
  default void caughtUp(Map<TopicPartition, Long> applied) {}

  /**
   * A poll's records were applied (possibly none).
   *
   * @param applied the offset applied up to, per assigned partition
   */
  default void afterBatch(Map<TopicPartition, Long> applied) {}

  /** A record was skipped (already logged by the reader). */
  default void skipped(SkippedRecord record) {}
}
