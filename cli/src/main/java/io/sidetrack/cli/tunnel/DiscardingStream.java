package io.sidetrack.cli.tunnel;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/** Swallows a request body nobody will read (the CLI answered the request itself). */
final class DiscardingStream implements WriteStream<Buffer> {
  @Override
  public DiscardingStream exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public Future<Void> write(Buffer data) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> end() {
    return Future.succeededFuture();
  }

  @Override
  public DiscardingStream setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public DiscardingStream drainHandler(Handler<Void> handler) {
    return this;
  }
}
