package io.sidetrack.stream.internal;

import io.sidetrack.core.RouteKeys;
import io.sidetrack.core.WorkloadPartitioning;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Sends a {@code workload/...} key to its workload's partition: the partition the default
 * partitioner would pick for the bare workload name, so every topic keyed by workload agrees.
 */
public final class WorkloadPartitioner<V> implements StreamPartitioner<String, V> {
  @Override
  public Optional<Set<Integer>> partitions(String topic, String key, V value, int numPartitions) {
    return Optional.of(Set.of(partition(key, numPartitions)));
  }

  /** Partition of {@code key}'s workload among {@code numPartitions}. */
  public static int partition(String key, int numPartitions) {
    return WorkloadPartitioning.partitionOf(RouteKeys.workloadOf(key), numPartitions);
  }
}
