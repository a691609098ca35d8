package io.sidetrack.feed;

import static java.util.Objects.requireNonNull;

import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * One topic a {@link CompactedTopicReader} reads, which of its partitions and from where. The
 * partitions are derived from the topic's partition count, again whenever that count changes.
 *
 * @param topic the topic
 * @param partitions the partitions to read, given the topic's partition count
 * @param fromBeginning whether the partitions are read from their beginning and count towards being
 *     caught up (a compacted topic), or only tailed from their end (an append-only log)
 */
public record Source(String topic, IntFunction<Set<Integer>> partitions, boolean fromBeginning) {
  public Source {
    requireNonNull(topic, "topic");
    requireNonNull(partitions, "partitions");
  }

  /** Every partition of {@code topic}, from the beginning. */
  public static Source all(String topic) {
    return new Source(topic, Source::range, true);
  }

  /** The one partition {@code choose} picks among the topic's count, from the beginning. */
  public static Source partition(String topic, java.util.function.IntUnaryOperator choose) {
    requireNonNull(choose, "choose");
    return new Source(topic, n -> Set.of(choose.applyAsInt(n)), true);
  }

  /** Every partition of {@code topic}, tailed from the end: only what is written from now on. */
  public static Source tail(String topic) {
    return new Source(topic, Source::range, false);
  }

  private static Set<Integer> range(int n) {
    return IntStream.range(0, n).boxed().collect(Collectors.toUnmodifiableSet());
  }
}
