package io.sidetrack.edge.proxy;

import io.sidetrack.core.RelayHeaders;
import io.sidetrack.edge.dispatch.Dispatch;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answers the full proxy makes itself rather than relays (400, 502, fail-closed 503), and what
 * becomes of a client's connection when an answer goes out before the request's body was read.
 */
final class VertxReplies {
  private static final Logger LOG = LoggerFactory.getLogger(VertxReplies.class);
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String RETRY_AFTER = Integer.toString(Dispatch.RETRY_AFTER_SECONDS);

  private VertxReplies() {}

  /** 400: a request this proxy will not forward; no body of it is read, and the connection goes. */
  static void badRequest(HttpServerRequest req, String why) {
    LOG.debug("400 for {}: {}", req.uri(), why);
    HttpServerResponse out = req.response();
    closeAfterAnswer(req);
    out.setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, TEXT).end(why + "\n");
  }

  /** 502: the upstream could not be had; a reset if part of an answer went out already. */
  static void badGateway(HttpServerRequest req, String why, Throwable cause) {
    LOG.debug("502 for {}: {}: {}", req.uri(), why, cause == null ? "" : cause.toString());
    HttpServerResponse out = req.response();
    if (out.headWritten()) {
      out.reset();
      return;
    }
    answerWithoutBody(req);
    out.setStatusCode(502).putHeader(HttpHeaders.CONTENT_TYPE, TEXT).end(why + "\n");
  }

  /** 503 with {@code Retry-After}: a fail-closed intercept whose tunnel cannot be had. */
  static void failClosed(HttpServerRequest req, Dispatch.FailClosed failClosed) {
    answerWithoutBody(req);
    req.response()
        .setStatusCode(503)
        .putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER)
        .putHeader(HttpHeaders.CONTENT_TYPE, TEXT)
        .putHeader(RelayHeaders.FALLBACK, failClosed.reason().label())
        .end(failClosed.message());
  }

  /**
   * Readies {@code req}'s connection for an answer given while its body may be unread (RFC 9110
   * section 10.1.1): an HTTP/2 stream's body is read and dropped; on HTTP/1.x the connection closes
   * after the answer, since a client that asked for {@code 100 Continue} may send the body or not,
   * and what it sends next cannot be told apart.
   */
  static void answerWithoutBody(HttpServerRequest req) {
    if (req.isEnded() || RequestBody.none(req)) {
      return;
    }
    if (req.version() == HttpVersion.HTTP_2) {
      RequestBody.discard(req);
    } else {
      closeAfterAnswer(req);
    }
  }

  /** Says {@code connection: close} on the answer and closes the connection once it went out. */
  static void closeAfterAnswer(HttpServerRequest req) {
    if (req.version() == HttpVersion.HTTP_2) {
      return;
    }
    HttpServerResponse out = req.response();
    // the relayed answer's fields are set later and drop hop-by-hop ones: this goes on last
    out.headersEndHandler(v -> out.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE));
    out.endHandler(v -> req.connection().close());
  }
}
