package io.sidetrack.cli.up;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.TimeUnit;

/** The demo workload {@code sidetrack up} runs: a small HTTP app answering as "the cluster". */
final class DemoWorkload implements AutoCloseable {
  private final Vertx vertx;
  private final HttpServer server;

  private DemoWorkload(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  static DemoWorkload start() throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.response()
                        .putHeader("content-type", "text/plain; charset=utf-8")
                        .putHeader("x-served-by", "cluster")
                        .end(
                            "Hello from the cluster's copy of demo: "
                                + req.method()
                                + " "
                                + req.uri()
                                + "\n"))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    return new DemoWorkload(vertx, server);
  }

  int port() {
    return server.actualPort();
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
