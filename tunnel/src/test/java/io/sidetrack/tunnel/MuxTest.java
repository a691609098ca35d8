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
