package io.sidetrack.edge.proxy;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * A client's request body in the full proxy: held (paused) until it is known where it goes, then
 * streamed upstream, or read past and dropped when an answer came without it.
 */
final class RequestBody {
  /** HTTP/2 error code CANCEL (RFC 9113 section 7): the stream is no longer needed. */
  static final long CANCEL = 0x8;

  private RequestBody() {}

  /**
   * Whether {@code req} has no body. An HTTP/2 request's end is seen only after its head, so one
   * still open counts as having a body.
   */
  static boolean none(HttpServerRequest req) {
    if (req.version() == HttpVersion.HTTP_2) {
      return req.isEnded();
    }
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    return (length == null || length.equals("0"))
        && !req.headers().contains(HttpHeaders.TRANSFER_ENCODING);
  }

  /** Whether the client waits for {@code 100 Continue} before it sends the body. */
  static boolean expectsContinue(HttpServerRequest req) {
    String expect = req.getHeader(HttpHeaders.EXPECT);
    return expect != null && expect.equalsIgnoreCase("100-continue");
  }

  /**
   * Streams the held body of {@code req} to {@code upstream} (whose head is written or not) and
   * ends it; a client that asked for {@code 100 Continue} gets it first. A body that fails mid-way
   * (the client reset or went away) resets {@code upstream} rather than ending it, so the next hop
   * never takes a truncated body for a whole one.
   */
  static Future<Void> streamTo(HttpServerRequest req, HttpClientRequest upstream) {
    if (!upstream.isChunked() && !upstream.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
      upstream.setChunked(true); // before the head goes: Vert.x refuses it after
    }
    if (expectsContinue(req) && !req.response().headWritten()) {
      req.response().writeContinue();
    }
    Future<Void> piped = req.pipe().endOnFailure(false).to(upstream);
    piped.onFailure(e -> upstream.reset(CANCEL, e));
    return piped;
  }

  /**
   * Reads the rest of a held body and drops it: an HTTP/2 stream's body must be read for its flow
   * control window to move on (an HTTP/1.x connection whose body went unread is closed instead, see
   * {@link VertxReplies#closeAfterAnswer}).
   */
  static void discard(HttpServerRequest req) {
    if (!req.isEnded()) {
      req.handler(ignored -> {});
      req.exceptionHandler(ignored -> {});
      req.resume();
    }
  }
}
