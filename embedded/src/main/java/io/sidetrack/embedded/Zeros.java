package io.sidetrack.embedded;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/** Large bodies for tests and benchmarks: zeros written with backpressure, then the end. */
public final class Zeros {
  private static final Buffer CHUNK = Buffer.buffer(new byte[64 * 1024]);

  private Zeros() {}

  /**
   * Writes {@code bytes} zero bytes to {@code out} (a request, a response), never more than its
   * write queue takes, then ends it. Call it on {@code out}'s context.
   */
  public static void write(WriteStream<Buffer> out, long bytes) {
    long[] sent = {0};
    Runnable[] pump = new Runnable[1];
    pump[0] =
        () -> {
          while (sent[0] < bytes && !out.writeQueueFull()) {
            int n = (int) Math.min(CHUNK.length(), bytes - sent[0]);
            out.write(n == CHUNK.length() ? CHUNK : CHUNK.slice(0, n));
            sent[0] += n;
          }
          if (sent[0] >= bytes) {
            out.drainHandler(null);
            out.end();
          } else {
            out.drainHandler(v -> pump[0].run());
          }
        };
    pump[0].run();
  }
}
