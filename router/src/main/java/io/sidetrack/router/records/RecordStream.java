package io.sidetrack.router.records;

import io.sidetrack.tunnel.Frames;
import io.sidetrack.tunnel.Frames.RequestHead;
import io.sidetrack.tunnel.Mux;
import io.sidetrack.tunnel.RecordCodec;
import io.sidetrack.tunnel.TunnelRecord;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The tunnel's end of a {@link RecordTap}: one records stream of the tunnel's {@link Mux}, sent as
 * the developer's CLI returns window, so a slow laptop holds back only its own records. The CLI
 * acknowledges every write ({@link Mux.Channel#windowEvery} 1), so the bytes it returns say which
 * records it has written into its broker: those are {@linkplain #acknowledged() acknowledged} to
 * the tap, which commits them.
 *
 * <p>{@link #offer} and {@link #acknowledged} are called on the tap's thread; everything else runs
 * on the tunnel's context.
 */
final class RecordStream {
  /** Where a record was read. */
  record Read(TopicPartition partition, long offset) {}

  /** A record taken for the developer and where it was read. */
  record Taken(TunnelRecord record, Read read) {}

  /** Where a record sent ends in the stream's bytes, and where it was read. */
  private record InFlight(long end, Read read) {}

  private final Mux mux;
  private final Context context;
  private final Consumer<String> reset;
  private Mux.Channel channel;
  private boolean closed;
  private final ArrayDeque<Taken> queue = new ArrayDeque<>();
  private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
  private final Queue<Read> acknowledged = new ConcurrentLinkedQueue<>();
  private final AtomicLong backlog = new AtomicLong();
  private long sent;
  private long written;

  /**
   * A stream of {@code mux}, opened by {@link #open}.
   *
   * @param reset called (on the tunnel's context) when the CLI abandons the stream or the tunnel
   *     goes, with the reason
   */
  RecordStream(Mux mux, Consumer<String> reset) {
    this.mux = mux;
    this.context = mux.context();
    this.reset = reset;
  }

  /**
   * Opens the stream, naming each topic and its partition count ({@code "orders.created:6"}; a
   * topic name has no colon) so the CLI creates the local topics before the first record, and the
   * developer's consumers find them at once; from any thread.
   */
  void open(Map<String, Integer> partitions) {
    MultiMap head = MultiMap.caseInsensitiveMultiMap();
    partitions.forEach((t, n) -> head.add(RecordCodec.TOPIC_HEADER, RecordCodec.topicHeader(t, n)));
    context.runOnContext(
        v -> {
          if (closed) {
            return;
          }
          channel = mux.open(new RequestHead(Frames.FLAG_RECORDS, "RECORDS", "/", head));
          channel.windowHandler(this::onWindow);
          channel.resetHandler(reset::accept);
          drain();
        });
  }

  /** Hands records to the stream (from the tap's thread); they are sent as window allows. */
  void offer(List<Taken> taken) {
    if (taken.isEmpty()) {
      return;
    }
    long bytes = 0;
    for (Taken t : taken) {
      bytes += estimate(t.record());
    }
    backlog.addAndGet(bytes);
    context.runOnContext(
        v -> {
          queue.addAll(taken);
          drain();
        });
  }

  /** Bytes offered and not yet sent: the tap reads no more while it is above a window. */
  long backlog() {
    return backlog.get();
  }

  /** Takes the records the CLI wrote out since the last call (on the tap's thread). */
  void acknowledged(Consumer<Read> each) {
    Read t;
    while ((t = acknowledged.poll()) != null) {
      each.accept(t);
    }
  }

  /** Ends the stream (the intercept is over here). */
  void close(String why) {
    context.runOnContext(
        v -> {
          closed = true;
          queue.clear();
          if (channel != null) {
            channel.reset(why);
          }
        });
  }

  private void drain() {
    while (channel != null && !queue.isEmpty() && channel.writable() && !channel.isDone()) {
      Taken t = queue.poll();
      Buffer bytes = RecordCodec.encode(t.record());
      backlog.addAndGet(-estimate(t.record()));
      channel.sendData(bytes);
      sent += bytes.length();
      inFlight.add(new InFlight(sent, t.read()));
    }
  }

  private void onWindow(int n) {
    written += n;
    while (!inFlight.isEmpty() && inFlight.peek().end() <= written) {
      acknowledged.add(inFlight.poll().read());
    }
    drain();
  }

  private static long estimate(TunnelRecord r) {
    long n = 64 + r.topic().length();
    n += r.key() == null ? 0 : r.key().length;
    n += r.value() == null ? 0 : r.value().length;
    for (TunnelRecord.Header h : r.headers()) {
      n += 8 + h.name().length() + (h.value() == null ? 0 : h.value().length);
    }
    return n;
  }
}
