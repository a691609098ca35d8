package io.sidetrack.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WorkloadPartitioningTest {
  @Test
  void partitionIsStableAndInRange() {
    for (String w : new String[] {"orders", "payments", "a", "demo-42"}) {
      int p = WorkloadPartitioning.partitionOf(w, 12);
      assertThat(p).isBetween(0, 11).isEqualTo(WorkloadPartitioning.partitionOf(w, 12));
    }
  }

  @Test
  void matchesKafkaMurmur2ReferenceValues() {
    // Reference values of org.apache.kafka.common.utils.Utils.murmur2 (see its unit tests).
    assertThat(WorkloadPartitioning.murmur2("21".getBytes())).isEqualTo(-973932308);
    assertThat(WorkloadPartitioning.murmur2("foobar".getBytes())).isEqualTo(-790332482);
  }

  @Test
  void rejectsNonPositivePartitionCount() {
    assertThatThrownBy(() -> WorkloadPartitioning.partitionOf("orders", 0))
        .hasMessageContaining("partitions must be positive");
  }
}
