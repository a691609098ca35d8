package io.sidetrack.edge.proxy;

import io.sidetrack.core.RelayHeaders;
import io.sidetrack.edge.dispatch.Dispatch;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The answers the full proxy makes itself rather than relays: 502 and fail-closed 503. */
final class VertxReplies {
  private static final Logger LOG = LoggerFactory.getLogger(VertxReplies.class);
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String RETRY_AFTER = Integer.toString(Dispatch.RETRY_AFTER_SECONDS);

  private VertxReplies() {}

  /** 502: the upstream could not be had; a reset if part of an answer went out already. */
  static void badGateway(HttpServerRequest req, String why, Throwable cause) {
    LOG.debug("502 for {}: {}: {}", req.uri(), why, cause == null ? "" : cause.toString());
    HttpServerResponse out = req.response();
    if (out.headWritten()) {
      out.reset();
      return;
    }
    discardBody(req);
    out.setStatusCode(502).putHeader(HttpHeaders.CONTENT_TYPE, TEXT).end(why + "\n");
  }

  /** 503 with {@code Retry-After}: a fail-closed intercept whose tunnel cannot be had. */
  static void failClosed(HttpServerRequest req, Dispatch.FailClosed failClosed) {
    discardBody(req);
    req.response()
        .setStatusCode(503)
        .putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER)
        .putHeader(HttpHeaders.CONTENT_TYPE, TEXT)
        .putHeader(RelayHeaders.FALLBACK, failClosed.reason().label())
        .end(failClosed.message());
  }

  /**
   * Reads the rest of a (paused) request body and drops it: answered without it, the request must
   * still be read to its end before the connection's next one (RFC 9112 section 9.3, RFC 9110
   * section 10.1.1 lets a server go on reading after a final answer).
   */
  static void discardBody(HttpServerRequest req) {
    if (!req.isEnded()) {
      req.handler(ignored -> {});
      req.resume();
    }
  }
}
