package io.sidetrack.edge.routing;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the heap grow in large steps while a new agent reads its routes, then puts the sidecar's
 * settings back. The agent starts with a small heap that the serial collector grows only as far as
 * {@code MinHeapFreeRatio} asks at each full collection; reading 100,000 routes into a table grows
 * the live set from a few MB to about 90, through many full collections that each copy all of it
 * (measured: 0.8 s of pauses; 0.5 s with the ratios below). Both ratios are manageable flags, so
 * they are changed here at run time rather than for the agent's whole life: afterwards the heap
 * shrinks again at the next full collection. Where the JVM does not have them, nothing changes.
 */
final class FirstReadHeap {
  private static final Logger LOG = LoggerFactory.getLogger(FirstReadHeap.class);

  /** Free space kept after a full collection while reading: the heap grows in large steps. */
  static final int READING_MIN_FREE = 70;

  static final int READING_MAX_FREE = 90;

  private final HotSpotDiagnosticMXBean vm;
  private String minFree;
  private String maxFree;

  private FirstReadHeap(HotSpotDiagnosticMXBean vm) {
    this.vm = vm;
  }

  /** The switch for this JVM; one that changes nothing where the flags cannot be set. */
  static FirstReadHeap of() {
    try {
      return new FirstReadHeap(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class));
    } catch (RuntimeException | LinkageError e) {
      return new FirstReadHeap(null);
    }
  }

  /** Lets the heap grow in large steps, until {@link #restore}; does nothing if already done. */
  synchronized void widen() {
    if (vm == null || minFree != null) {
      return;
    }
    try {
      VMOption min = vm.getVMOption("MinHeapFreeRatio");
      VMOption max = vm.getVMOption("MaxHeapFreeRatio");
      if (!min.isWriteable() || !max.isWriteable()) {
        return;
      }
      minFree = min.getValue();
      maxFree = max.getValue();
      // the JVM refuses a minimum above the maximum: the maximum goes up first
      vm.setVMOption("MaxHeapFreeRatio", Integer.toString(READING_MAX_FREE));
      vm.setVMOption("MinHeapFreeRatio", Integer.toString(READING_MIN_FREE));
    } catch (RuntimeException e) {
      LOG.debug("Heap ratios left as they are: {}", e.toString());
      restore();
    }
  }

  /** Puts the ratios back as they were before {@link #widen}. */
  synchronized void restore() {
    if (vm == null || minFree == null) {
      return;
    }
    try {
      // the minimum comes down first, so it is never above the maximum
      vm.setVMOption("MinHeapFreeRatio", minFree);
      vm.setVMOption("MaxHeapFreeRatio", maxFree);
    } catch (RuntimeException e) {
      LOG.warn("Heap ratios not put back ({}); the heap may stay larger", e.toString());
    } finally {
      minFree = null;
      maxFree = null;
    }
  }

  /** The ratios now, as {@code min/max}, for tests. */
  String ratios() {
    if (vm == null) {
      return "unknown";
    }
    return vm.getVMOption("MinHeapFreeRatio").getValue()
        + "/"
        + vm.getVMOption("MaxHeapFreeRatio").getValue();
  }
}
