package io.sidetrack.router.preview;

import static java.util.Objects.requireNonNull;

import io.sidetrack.tunnel.EndToEndHeaders;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards a visitor's request to the preview's workload, as it came but for the fields {@link
 * PreviewHeaders} rewrites: method, target, {@code Host}, bodies streamed both ways with
 * backpressure, trailers, a WebSocket (any HTTP/1.1 upgrade) as raw bytes both ways after the
 * {@code 101}. An unreachable workload gets a 502 page, one that sends no answer head in {@link
 * #HEAD_TIMEOUT_MS} a 504. An answer without a {@code Referrer-Policy} gets {@code same-origin}, so
 * that the code in the preview's host does not leave with the visitor's clicks to other sites.
 */
final class PreviewProxy {
  private static final Logger LOG = LoggerFactory.getLogger(PreviewProxy.class);

  /** How long the workload may take to start answering. */
  static final long HEAD_TIMEOUT_MS = 60_000;

  private static final String REFERRER_POLICY = "referrer-policy";

  /** HTTP/2 error code CANCEL, which Vert.x maps to closing an HTTP/1.1 connection. */
  private static final long CANCEL = 0x8;

  private final Vertx vertx;
  private final HttpClient client;

  /** {@code client} should have a connect timeout: a visitor waits for it. */
  public PreviewProxy(Vertx vertx, HttpClient client) {
    this.vertx = requireNonNull(vertx, "vertx");
    this.client = requireNonNull(client, "client");
  }

  /** Forwards {@code req} to {@code preview}'s workload; call it on the request's own tick. */
  void forward(HttpServerRequest req, Preview preview) {
    boolean upgrade = isUpgrade(req);
    boolean bodyless = upgrade || !hasBody(req);
    if (!bodyless) {
      req.pause();
    }
    PreviewUpstream to = preview.upstream();
    RequestOptions options =
        new RequestOptions()
            .setMethod(req.method())
            .setURI(originForm(req))
            .setHost(to.host())
            .setPort(to.port());
    client
        .request(options)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                unreachable(req, preview, ar.cause());
                return;
              }
              HttpClientRequest upstream = ar.result();
              upstream.exceptionHandler(
                  e -> LOG.debug("Preview upstream failed: {}", e.toString()));
              upstream
                  .headers()
                  .setAll(
                      PreviewHeaders.forUpstream(
                          req.headers(), upgrade, preview.headerName(), preview.headerValue()));
              if (req.authority() != null) {
                upstream.authority(req.authority());
              }
              if (upgrade) {
                upgrade(req, upstream, preview);
              } else {
                exchange(req, upstream, preview, bodyless);
              }
            });
  }

  private void exchange(
      HttpServerRequest req, HttpClientRequest upstream, Preview preview, boolean bodyless) {
    long timer =
        vertx.setTimer(
            HEAD_TIMEOUT_MS,
            t -> {
              if (!req.response().headWritten() && !req.response().ended()) {
                PreviewPages.upstreamSlow(req.response(), preview.workload());
              }
              upstream.reset(CANCEL);
            });
    req.response()
        .closeHandler(
            v -> {
              if (!req.response().ended()) {
                upstream.reset(CANCEL); // the visitor went away: so does the request upstream
              }
            });
    Future<HttpClientResponse> response;
    if (bodyless) {
      response = upstream.send();
    } else {
      if (!upstream.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
        upstream.setChunked(true);
      }
      req.pipe().endOnFailure(false).to(upstream).onFailure(e -> upstream.reset(CANCEL, e));
      response = upstream.response();
    }
    response.onComplete(
        r -> {
          vertx.cancelTimer(timer);
          if (r.failed()) {
            unreachable(req, preview, r.cause());
          } else {
            answer(req, r.result());
          }
        });
  }

  /** Relays the workload's answer: status, end-to-end fields, the body as it comes, trailers. */
  private static void answer(HttpServerRequest req, HttpClientResponse response) {
    HttpServerResponse out = req.response();
    if (out.ended() || out.closed()) {
      return;
    }
    out.setStatusCode(response.statusCode());
    out.setStatusMessage(response.statusMessage());
    EndToEndHeaders.copy(response.headers(), out.headers(), false, Set.of());
    if (!out.headers().contains(REFERRER_POLICY)) {
      // the preview's host is its code: links to other sites must not carry it off in Referer
      out.putHeader(REFERRER_POLICY, "same-origin");
    }
    int status = response.statusCode();
    boolean bodyless =
        status < 200 || status == 204 || status == 304 || req.method() == HttpMethod.HEAD;
    if (!bodyless && !out.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
      out.setChunked(true);
    }
    response
        .pipe()
        .endOnComplete(false)
        .to(out)
        .onComplete(
            done -> {
              if (done.failed()) {
                out.reset();
                return;
              }
              if (!response.trailers().isEmpty() && out.isChunked()) {
                out.trailers().addAll(response.trailers());
              }
              out.end();
            });
  }

  /** The handshake goes upstream; on {@code 101} both connections become raw byte pipes. */
  private static void upgrade(HttpServerRequest req, HttpClientRequest upstream, Preview preview) {
    upstream
        .connect()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                unreachable(req, preview, ar.cause());
                return;
              }
              HttpClientResponse response = ar.result();
              if (response.statusCode() != 101) {
                answer(req, response);
                return;
              }
              response.headers().forEach((k, v) -> req.response().headers().add(k, v));
              NetSocket up = response.netSocket();
              req.toNetSocket()
                  .onComplete(
                      down -> {
                        if (down.failed()) {
                          up.close();
                          return;
                        }
                        down.result().pipeTo(up);
                        up.pipeTo(down.result());
                      });
            });
  }

  private static void unreachable(HttpServerRequest req, Preview preview, Throwable cause) {
    LOG.debug(
        "Preview of {} could not reach {}: {}",
        preview.interceptId(),
        preview.upstream(),
        cause.toString());
    HttpServerResponse out = req.response();
    if (out.ended() || out.closed()) {
      return;
    }
    if (out.headWritten()) {
      out.reset();
      return;
    }
    if (!req.isEnded()) {
      // the body was not read: the connection cannot carry another request
      out.putHeader(HttpHeaders.CONNECTION, "close");
    }
    PreviewPages.upstreamDown(out, preview.workload());
  }

  /** Whether {@code req} asks to upgrade its HTTP/1.1 connection (a WebSocket), not to h2c. */
  static boolean isUpgrade(HttpServerRequest req) {
    String upgrade = req.getHeader(HttpHeaders.UPGRADE);
    return upgrade != null
        && req.version() == HttpVersion.HTTP_1_1
        && !upgrade.regionMatches(true, 0, "h2c", 0, 3);
  }

  private static boolean hasBody(HttpServerRequest req) {
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    return (length != null && !length.equals("0"))
        || req.headers().contains(HttpHeaders.TRANSFER_ENCODING);
  }

  /** The target in origin form: an absolute-form target ({@code GET http://h/p}) loses its host. */
  static String originForm(HttpServerRequest req) {
    String uri = req.uri();
    if (uri.startsWith("/")) {
      return uri;
    }
    String query = req.query();
    return req.path() + (query == null ? "" : "?" + query);
  }
}
