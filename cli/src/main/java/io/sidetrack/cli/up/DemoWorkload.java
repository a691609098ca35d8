package io.sidetrack.cli.up;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The demo workload: a small HTTP app answering as "the cluster", {@code TEXT: METHOD URI} with
 * {@code x-served-by: cluster}. {@code sidetrack up} runs it on loopback with its Kafka consumer
 * ({@link DemoOrderConsumer}), whose processed records it lists at {@code GET /processed}; {@code
 * sidetrack demo-app} runs it alone, as a compose stack's sample workload.
 */
final class DemoWorkload implements AutoCloseable {
  /** Lists the records its consumer processed, one a line (when it has a consumer). */
  static final String PROCESSED_PATH = "/processed";

  /** What it answers unless told otherwise. */
  static final String DEFAULT_TEXT = "Hello from the cluster's copy of demo";

  private final Vertx vertx;
  private final HttpServer server;

  private DemoWorkload(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  /**
   * Starts it on a free loopback port with the default text, listing what {@code processed} gives
   * at {@value #PROCESSED_PATH}.
   */
  static DemoWorkload start(Supplier<List<String>> processed) throws Exception {
    return start("127.0.0.1", 0, DEFAULT_TEXT, requireNonNull(processed, "processed"));
  }

  /** Starts it on {@code host:port} (0: a free one), answering {@code text}. */
  static DemoWorkload start(String host, int port, String text) throws Exception {
    return start(host, port, text, null);
  }

  private static DemoWorkload start(
      String host, int port, String text, Supplier<List<String>> processed) throws Exception {
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
                          .end(
                              processed != null && PROCESSED_PATH.equals(req.path())
                                  ? lines(processed.get())
                                  : text + ": " + req.method() + " " + req.uri() + "\n"))
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

  private static String lines(List<String> processed) {
    StringBuilder b = new StringBuilder();
    processed.forEach(line -> b.append(line).append('\n'));
    return b.toString();
  }

  int port() {
    return server.actualPort();
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
