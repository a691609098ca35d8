package io.sidetrack.edge.proxy;

import io.sidetrack.core.RelayHeaders;
import io.sidetrack.edge.dispatch.FallbackReason;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * Relays an upstream's answer to the client: status, end-to-end fields, body with backpressure,
 * trailers.
 */
final class AnswerRelay {
  private AnswerRelay() {}

  /**
   * Relays {@code response} as the answer to {@code req}, with {@code sidetrack-fallback} when
   * {@code fallback} is not null. The future completes once the answer ended (or failed, and the
   * client's stream was reset).
   */
  static Future<Void> relay(
      HttpServerRequest req, HttpClientResponse response, FallbackReason fallback) {
    HttpServerResponse out = req.response();
    out.setStatusCode(response.statusCode());
    out.setStatusMessage(response.statusMessage());
    ForwardHeaders.copyEndToEnd(response.headers(), out.headers(), false);
    if (fallback != null) {
      out.putHeader(RelayHeaders.FALLBACK, fallback.label());
    }
    if (!out.headers().contains(HttpHeaders.CONTENT_LENGTH)
        && req.version() != HttpVersion.HTTP_2) {
      out.setChunked(true);
    }
    return response
        .pipe()
        .endOnComplete(false)
        .to(out)
        .compose(
            done -> {
              if (!response.trailers().isEmpty()) {
                out.trailers().addAll(response.trailers());
              }
              return out.end();
            },
            failed -> {
              out.reset();
              return Future.failedFuture(failed);
            });
  }
}
