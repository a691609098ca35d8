package io.sidetrack.edge.proxy;

import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.StreamResetException;

/**
 * A client that gives up on its request (an HTTP/2 {@code RST_STREAM}, or a closed connection)
 * before its answer ended gives up upstream too: the upstream request is reset, so the app (or the
 * developer's tunnel) sees the cancel instead of working on to its own deadline (a gRPC call's
 * cancellation).
 */
final class ClientCancel {
  private ClientCancel() {}

  /**
   * Resets {@code upstream} once {@code req}'s stream or connection goes before its answer ended.
   */
  static void relay(HttpServerRequest req, HttpClientRequest upstream) {
    req.response()
        .closeHandler(
            v -> {
              if (!req.response().ended()) {
                upstream.reset(RequestBody.CANCEL);
              }
            });
    req.exceptionHandler(
        e -> {
          if (e instanceof StreamResetException) {
            upstream.reset(RequestBody.CANCEL, e);
          }
        });
  }
}
