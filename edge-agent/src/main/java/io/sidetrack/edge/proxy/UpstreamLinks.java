package io.sidetrack.edge.proxy;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.RequestOptions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Upstream connections tied to one inbound HTTP/1.1 connection: its requests come one after
 * another, so each gets a connection of its own to every upstream it uses, opened on first use on
 * the same event loop and closed with it. That skips the client pool on every request; a link that
 * is busy or gone sends the request through the pool instead.
 */
final class UpstreamLinks {
  private final HttpClientAgent pool;
  private final Map<HttpConnection, Map<String, Future<HttpClientConnection>>> links =
      new ConcurrentHashMap<>();

  UpstreamLinks(HttpClientAgent pool) {
    this.pool = pool;
  }

  /** Forgets and closes the links of {@code inbound}, which closed. */
  void closed(HttpConnection inbound) {
    Map<String, Future<HttpClientConnection>> gone = links.remove(inbound);
    if (gone != null) {
      gone.values().forEach(f -> f.onSuccess(HttpClientConnection::close));
    }
  }

  /**
   * A request to {@code options}' host and port (named {@code upstream}) for a request that came on
   * {@code inbound}. A failure to connect fails the future, as the pool would.
   */
  Future<HttpClientRequest> request(
      HttpConnection inbound, String upstream, RequestOptions options, long connectTimeoutMs) {
    Map<String, Future<HttpClientConnection>> mine =
        links.computeIfAbsent(inbound, c -> new ConcurrentHashMap<>(2));
    Future<HttpClientConnection> link =
        mine.computeIfAbsent(
            upstream,
            k -> {
              HttpConnectOptions connect =
                  new HttpConnectOptions().setHost(options.getHost()).setPort(options.getPort());
              if (connectTimeoutMs > 0) {
                connect.setConnectTimeout(connectTimeoutMs);
              }
              Future<HttpClientConnection> opened = pool.connect(connect);
              opened.onComplete(
                  ar -> {
                    if (ar.failed()) {
                      mine.remove(k, opened);
                    } else {
                      ar.result().closeHandler(v -> mine.remove(k, opened));
                    }
                  });
              return opened;
            });
    return link.compose(
        up ->
            up.activeStreams() == 0
                ? up.request(options).recover(e -> pool.request(options))
                : pool.request(options));
  }
}
