package io.sidetrack.testkit;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Turns Netty's leak reports into test failures. Netty only logs a buffer that was collected
 * without being released, and only once a later buffer is tracked; this listens on the detector of
 * every {@code ByteBuf} and lets a test ask for the reports after forcing a collection. Needs
 * {@code -Dio.netty.leakDetection.level=PARANOID} (set in the pom of each module whose tests use
 * this), so that every buffer is tracked.
 */
public final class NettyLeaks {
  private static final List<String> REPORTS = new CopyOnWriteArrayList<>();

  static {
    if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
      throw new IllegalStateException("run with -Dio.netty.leakDetection.level=PARANOID");
    }
    try {
      Field detector = AbstractByteBuf.class.getDeclaredField("leakDetector");
      detector.setAccessible(true);
      ((ResourceLeakDetector<?>) detector.get(null))
          .setLeakListener((type, records) -> REPORTS.add(type + " leaked:" + records));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot listen for Netty's leak reports", e);
    }
  }

  private NettyLeaks() {}

  /** Starts listening (the first call does); call before the buffers to watch are allocated. */
  public static void watch() {
    // the static initializer did it
  }

  /** The leaks reported since the last call, after collecting what is unreachable. */
  public static List<String> collect() {
    for (int round = 0; round < 3; round++) {
      // A collection only clears a leaked buffer's reference: the JVM's reference handler thread
      // enqueues it afterwards. Waiting for a sentinel cleared by the same collection makes sure
      // that batch was handed over before the detector looks (on a busy machine it often was not).
      ReferenceQueue<Object> handed = new ReferenceQueue<>();
      WeakReference<Object> sentinel = new WeakReference<>(new Object(), handed);
      System.gc();
      try {
        handed.remove(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Reference.reachabilityFence(sentinel);
      // the detector looks at its reference queue when it tracks a new buffer
      for (int i = 0; i < 32; i++) {
        ByteBufAllocator.DEFAULT.directBuffer(1).release();
      }
    }
    List<String> found = new ArrayList<>(REPORTS);
    REPORTS.removeAll(found);
    return found;
  }
}
