package io.sidetrack.cli.up;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.TimeUnit;

/**
 * The demo workload: a small HTTP app answering as "the cluster", {@code TEXT: METHOD URI} with
 * {@code x-served-by: cluster}. {@code sidetrack up} runs it on loopback; {@code sidetrack
 * demo-app} runs it alone, as a compose stack's sample workload.
 */
final class DemoWorkload implements AutoCloseable {
  /** What it answers unless told otherwise. */
  static final String DEFAULT_TEXT = "Hello from the cluster's copy of demo";

  private final Vertx vertx;
  private final HttpServer server;

  private DemoWorkload(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  /** Starts it on a free loopback port with the default text. */
  static DemoWorkload start() throws Exception {
    return start("127.0.0.1", 0, DEFAULT_TEXT);
  }

  /** Starts it on {@code host:port} (0: a free one), answering {@code text}. */
  static DemoWorkload start(String host, int port, String text) throws Exception {
    requireNonNull(host, "host");
    requireNonNull(text, "text");
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer server =
          vertx
              .createHttpServer()
              .requestHandler(
                  req ->
                      req.response()
                          .putHeader("content-type", "text/plain; charset=utf-8")
                          .putHeader("x-served-by", "cluster")
                          .end(text + ": " + req.method() + " " + req.uri() + "\n"))
              .listen(port, host)
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      return new DemoWorkload(vertx, server);
    } catch (Exception e) {
      vertx.close();
      throw e;
    }
  }

  int port() {
    return server.actualPort();
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
