package io.sidetrack.edge.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The heap's growth ratios change on this JVM while a first read runs, and come back after. */
class FirstReadHeapTest {
  @Test
  void theRatiosAreWidenedForAFirstReadAndPutBackAfter() {
    FirstReadHeap heap = FirstReadHeap.of();
    String before = heap.ratios();
    assertThat(before).matches("\\d+/\\d+");

    heap.widen();
    heap.widen(); // a second widen keeps what the first saved
    assertThat(heap.ratios())
        .isEqualTo(FirstReadHeap.READING_MIN_FREE + "/" + FirstReadHeap.READING_MAX_FREE);

    heap.restore();
    assertThat(heap.ratios()).isEqualTo(before);
    heap.restore(); // nothing to put back
    assertThat(heap.ratios()).isEqualTo(before);
  }
}
