package io.sidetrack.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.tunnel.Frames.RequestHead;
import io.sidetrack.tunnel.Frames.ResponseHead;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two muxes wired back to back on one context, as the router's and the CLI's ends of a tunnel. */
@Timeout(30)
class MuxTest {
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close();
  }

  @Test
  void aStreamIsWrittenOnTheContextOfItsTargetNotOnTheTunnels() {
    Context tunnel = vertx.getOrCreateContext();
    Context response = vertx.getOrCreateContext();
    assertThat(response).isNotSameAs(tunnel);
    AtomicReference<Mux> router = new AtomicReference<>();
    AtomicReference<Mux> laptop = new AtomicReference<>();
    Handler<Mux.Channel> app =
        ch -> {
          ch.sendHead(new ResponseHead(200, "OK", MultiMap.caseInsensitiveMultiMap()));
          ch.sendData(Buffer.buffer("hello "));
          ch.sendData(Buffer.buffer("world"));
          ch.sendEnd(null);
          ch.sinkTo(new Recorder(), t -> {});
        };
    router.set(new Mux(f -> tunnel.runOnContext(v -> laptop.get().receive(f)), tunnel, null));
    laptop.set(new Mux(f -> tunnel.runOnContext(v -> router.get().receive(f)), tunnel, app));
    Recorder target = new Recorder();
    List<Context> endedOn = new CopyOnWriteArrayList<>();
    tunnel.runOnContext(
        v -> {
          Mux.Channel ch =
              router.get().open(new RequestHead(0, "GET", "/", MultiMap.caseInsensitiveMultiMap()));
          ch.headHandler(
              head -> ch.sinkTo(target, response, t -> endedOn.add(Vertx.currentContext())));
          ch.sendEnd(null);
        });

    await().atMost(Duration.ofSeconds(10)).until(() -> endedOn.size() == 1);
    assertThat(target.body.toString()).isEqualTo("hello world");
    assertThat(target.writtenOn).hasSize(2).allSatisfy(c -> assertThat(c).isSameAs(response));
    assertThat(endedOn).containsExactly(response);
  }

  @Test
  void aSenderLearnsOfEachWriteWhenTheReceiverAcknowledgesEveryOne() {
    Context tunnel = vertx.getOrCreateContext();
    AtomicReference<Mux> router = new AtomicReference<>();
    AtomicReference<Mux> laptop = new AtomicReference<>();
    Recorder target = new Recorder();
    router.set(new Mux(f -> tunnel.runOnContext(v -> laptop.get().receive(f)), tunnel, null));
    laptop.set(
        new Mux(
            f -> tunnel.runOnContext(v -> router.get().receive(f)),
            tunnel,
            ch -> ch.windowEvery(1).sinkTo(target, t -> {})));
    List<Integer> windows = new CopyOnWriteArrayList<>();
    List<Boolean> writable = new CopyOnWriteArrayList<>();
    tunnel.runOnContext(
        v -> {
          Mux.Channel ch =
              router
                  .get()
                  .open(
                      new RequestHead(
                          Frames.FLAG_RECORDS, "RECORDS", "/", MultiMap.caseInsensitiveMultiMap()));
          ch.windowHandler(windows::add);
          ch.sendData(Buffer.buffer(new byte[100]));
          ch.sendData(Buffer.buffer(new byte[Mux.WINDOW - 100]));
          writable.add(ch.writable());
          ch.windowHandler(
              n -> {
                windows.add(n);
                writable.add(ch.writable());
              });
        });

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> windows.stream().mapToInt(Integer::intValue).sum() == Mux.WINDOW);
    // one window per frame written: the first record's 100 bytes alone, then the chunks
    assertThat(windows.get(0)).isEqualTo(100);
    assertThat(windows).hasSize(1 + (Mux.WINDOW - 100 + Frames.MAX_CHUNK - 1) / Frames.MAX_CHUNK);
    assertThat(writable.get(0)).as("no credit once a window is out").isFalse();
    assertThat(writable.get(writable.size() - 1)).as("credit once all is written").isTrue();
    assertThat(target.body.length()).isEqualTo(Mux.WINDOW);
  }

  @Test
  void windowEveryIsBetweenOneByteAndTheWindow() {
    Mux mux = new Mux(f -> {}, vertx.getOrCreateContext(), null);
    Mux.Channel ch = mux.open(new RequestHead(0, "GET", "/", MultiMap.caseInsensitiveMultiMap()));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ch.windowEvery(0))
        .hasMessageContaining("windowEvery must be 1..");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ch.windowEvery(Mux.WINDOW + 1))
        .hasMessageContaining("windowEvery must be 1..");
  }

  @Test
  void aPeerThatIgnoresTheWindowHasItsStreamResetAndBuffersAtMostTheLimit() throws Exception {
    Context tunnel = vertx.getOrCreateContext();
    List<Frames.Frame> sent = new CopyOnWriteArrayList<>();
    List<String> resets = new CopyOnWriteArrayList<>();
    Stalled target = new Stalled();
    AtomicReference<Mux> agent = new AtomicReference<>();
    tunnel.runOnContext(
        v ->
            agent.set(
                new Mux(
                    f -> sent.add(Frames.decode(f)),
                    tunnel,
                    ch -> {
                      ch.resetHandler(resets::add);
                      ch.sinkTo(target, t -> {});
                    })));
    await().until(() -> agent.get() != null);
    Buffer chunk = Buffer.buffer(new byte[Frames.MAX_CHUNK]);
    int chunks = Mux.RECEIVE_LIMIT / Frames.MAX_CHUNK + 8;
    tunnel.runOnContext(
        v -> {
          agent
              .get()
              .receive(
                  Frames.open(
                      1, new RequestHead(0, "POST", "/", MultiMap.caseInsensitiveMultiMap())));
          // a peer that never waits for WINDOW: the target writes nothing out, so none comes
          for (int i = 0; i < chunks; i++) {
            agent.get().receive(Frames.data(1, chunk));
          }
        });

    await().atMost(Duration.ofSeconds(10)).until(() -> resets.size() == 1);
    assertThat(resets.get(0)).startsWith("flow control: the peer sent");
    assertThat(sent)
        .anySatisfy(
            f -> {
              assertThat(f.type()).isEqualTo(Frames.RESET);
              assertThat(f.stream()).isEqualTo(1);
            });
    assertThat(target.bytes.get()).isLessThanOrEqualTo(Mux.RECEIVE_LIMIT);
  }

  @Test
  void aSenderThatKeepsToTheWindowIsNeverReset() throws Exception {
    Context tunnel = vertx.getOrCreateContext();
    AtomicReference<Mux> router = new AtomicReference<>();
    AtomicReference<Mux> laptop = new AtomicReference<>();
    List<String> resets = new CopyOnWriteArrayList<>();
    Recorder target = new Recorder();
    List<Boolean> ended = new CopyOnWriteArrayList<>();
    int size = 8 * Mux.RECEIVE_LIMIT;
    Handler<Mux.Channel> app =
        ch -> {
          ch.resetHandler(resets::add);
          ch.sinkTo(target, t -> ended.add(true));
          ch.sendHead(new ResponseHead(200, "OK", MultiMap.caseInsensitiveMultiMap()));
          ch.sendEnd(null);
        };
    router.set(new Mux(f -> tunnel.runOnContext(v -> laptop.get().receive(f)), tunnel, null));
    laptop.set(new Mux(f -> tunnel.runOnContext(v -> router.get().receive(f)), tunnel, app));
    tunnel.runOnContext(
        v -> {
          Mux.Channel ch =
              router
                  .get()
                  .open(new RequestHead(0, "POST", "/", MultiMap.caseInsensitiveMultiMap()));
          ch.resetHandler(resets::add);
          ch.sinkTo(new Recorder(), t -> {});
          ch.pump(new Source(size, Frames.MAX_CHUNK, tunnel), tunnel, () -> null, null);
        });

    await().atMost(Duration.ofSeconds(20)).until(() -> ended.size() == 1);
    assertThat(resets).isEmpty();
    assertThat(target.body.length()).isEqualTo(size);
  }

  /** A target whose writes never complete: nothing it is given is ever returned as window. */
  static final class Stalled implements WriteStream<Buffer> {
    final java.util.concurrent.atomic.AtomicLong bytes =
        new java.util.concurrent.atomic.AtomicLong();

    @Override
    public Stalled exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Future<Void> write(Buffer data) {
      bytes.addAndGet(data.length());
      return io.vertx.core.Promise.<Void>promise().future();
    }

    @Override
    public Future<Void> end() {
      return Future.succeededFuture();
    }

    @Override
    public Stalled setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public Stalled drainHandler(Handler<Void> handler) {
      return this;
    }
  }

  /** A source of {@code size} bytes in chunks, emitted as fast as it is not paused. */
  static final class Source implements io.vertx.core.streams.ReadStream<Buffer> {
    private final Context context;
    private final Buffer chunk;
    private long left;
    private boolean paused = true;
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private boolean scheduled;

    Source(long size, int chunkSize, Context context) {
      this.left = size;
      this.chunk = Buffer.buffer(new byte[chunkSize]);
      this.context = context;
    }

    private void schedule() {
      if (!scheduled && !paused) {
        scheduled = true;
        context.runOnContext(v -> emit());
      }
    }

    private void emit() {
      scheduled = false;
      // a burst per turn, as a socket read would hand over several buffers
      for (int i = 0; i < 4 && !paused && left > 0; i++) {
        int n = (int) Math.min(left, chunk.length());
        left -= n;
        handler.handle(chunk.slice(0, n));
      }
      if (left == 0) {
        if (endHandler != null) {
          Handler<Void> h = endHandler;
          endHandler = null;
          h.handle(null);
        }
        return;
      }
      schedule();
    }

    @Override
    public Source exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Source handler(Handler<Buffer> handler) {
      this.handler = handler;
      return this;
    }

    @Override
    public Source pause() {
      paused = true;
      return this;
    }

    @Override
    public Source resume() {
      paused = false;
      schedule();
      return this;
    }

    @Override
    public Source fetch(long amount) {
      return resume();
    }

    @Override
    public Source endHandler(Handler<Void> endHandler) {
      this.endHandler = endHandler;
      return this;
    }
  }

  /** A target that notes the context of each write. */
  static final class Recorder implements WriteStream<Buffer> {
    final List<Context> writtenOn = new CopyOnWriteArrayList<>();
    final Buffer body = Buffer.buffer();

    @Override
    public Recorder exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Future<Void> write(Buffer data) {
      writtenOn.add(Vertx.currentContext());
      synchronized (body) {
        body.appendBuffer(data);
      }
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      return Future.succeededFuture();
    }

    @Override
    public Recorder setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public Recorder drainHandler(Handler<Void> handler) {
      return this;
    }
  }
}
