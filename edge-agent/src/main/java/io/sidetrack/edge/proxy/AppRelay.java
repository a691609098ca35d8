package io.sidetrack.edge.proxy;

import static java.util.Objects.requireNonNull;

import io.sidetrack.edge.dispatch.FallbackReason;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;

/**
 * Relays a request to the local app and its answer back: HTTP/1.1 over the client connection's own
 * link, HTTP/2 through a pool (h2c to an HTTP/2 app), upgrades as a tunnel.
 */
final class AppRelay {
  private final String host;
  private final int port;
  private final String address;
  private final HttpClient http2;
  private final UpstreamLinks links;
  private final UpstreamHead head;

  /**
   * An app at {@code host:port}; {@code http2} takes the client's HTTP/2 requests (an HTTP/2 client
   * for an HTTP/2 app), {@code links} the HTTP/1.1 ones.
   */
  AppRelay(String host, int port, HttpClient http2, UpstreamLinks links, UpstreamHead head) {
    this.host = requireNonNull(host, "host");
    this.port = port;
    this.address = host + ":" + port;
    this.http2 = requireNonNull(http2, "http2");
    this.links = requireNonNull(links, "links");
    this.head = requireNonNull(head, "head");
  }

  /** Sends {@code req} to the app; {@code fallback} is why, if it was meant for a tunnel. */
  void relay(HttpServerRequest req, boolean bodyless, FallbackReason fallback) {
    RequestOptions options = head.options(req, host, port);
    Future<HttpClientRequest> request =
        req.version() == HttpVersion.HTTP_2
            ? http2.request(options)
            : links.request(req.connection(), address, options, 0);
    request.onComplete(
        ar -> {
          if (ar.failed()) {
            VertxReplies.badGateway(req, "app unreachable at " + address, ar.cause());
            return;
          }
          HttpClientRequest upstream = ar.result();
          head.write(req, upstream, null);
          if (UpstreamHead.isUpgrade(req)) {
            UpgradeTunnel.open(req, upstream, fallback);
            return;
          }
          ClientCancel.relay(req, upstream);
          Future<HttpClientResponse> response;
          if (bodyless) {
            response = upstream.send();
          } else {
            RequestBody.streamTo(req, upstream);
            response = upstream.response();
          }
          response.onComplete(
              r -> {
                if (r.failed()) {
                  VertxReplies.badGateway(req, "app failed", r.cause());
                } else {
                  AnswerRelay.relay(req, r.result(), fallback);
                }
              });
        });
  }
}
