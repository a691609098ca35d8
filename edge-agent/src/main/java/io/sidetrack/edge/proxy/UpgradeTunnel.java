package io.sidetrack.edge.proxy;

import io.sidetrack.edge.dispatch.FallbackReason;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;

/**
 * A WebSocket (or other HTTP/1.1) upgrade: the handshake goes upstream; on {@code 101} both
 * connections become raw byte pipes, otherwise the answer is relayed as any other.
 */
final class UpgradeTunnel {
  private UpgradeTunnel() {}

  /** Sends the handshake {@code upstream} (its head written) and joins the two sockets on 101. */
  static void open(HttpServerRequest req, HttpClientRequest upstream, FallbackReason fallback) {
    upstream
        .connect()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                VertxReplies.badGateway(req, "upgrade failed", ar.cause());
                return;
              }
              HttpClientResponse response = ar.result();
              if (response.statusCode() != 101) {
                AnswerRelay.relay(req, response, fallback);
                return;
              }
              response.headers().forEach((k, v) -> req.response().headers().add(k, v));
              req.toNetSocket()
                  .onComplete(
                      down -> {
                        if (down.failed()) {
                          response.netSocket().close();
                          return;
                        }
                        down.result().pipeTo(response.netSocket());
                        response.netSocket().pipeTo(down.result());
                      });
            });
  }
}
