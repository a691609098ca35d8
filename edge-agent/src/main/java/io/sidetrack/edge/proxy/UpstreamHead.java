package io.sidetrack.edge.proxy;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.RelayHeaders;
import io.sidetrack.core.routing.Route;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head of the request the full proxy sends upstream: the client's end-to-end fields, who asked
 * ({@code Forwarded}, {@code X-Forwarded-*}) and, to a router, which intercept and workload.
 */
final class UpstreamHead {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamHead.class);

  private final String workload;
  private final HandedOffClients clients;

  UpstreamHead(String workload, HandedOffClients clients) {
    this.workload = requireNonNull(workload, "workload");
    this.clients = requireNonNull(clients, "clients");
  }

  /** Whether {@code req} asks to upgrade its HTTP/1.1 connection (a WebSocket), not to h2c. */
  static boolean isUpgrade(HttpServerRequest req) {
    String upgrade = req.getHeader(HttpHeaders.UPGRADE);
    return upgrade != null && req.version() == HttpVersion.HTTP_1_1 && !upgrade.startsWith("h2c");
  }

  /** Where {@code req} goes: its method and target (in origin form) to {@code host:port}. */
  RequestOptions options(HttpServerRequest req, String host, int port) {
    return new RequestOptions()
        .setMethod(req.method())
        .setURI(UpstreamTarget.of(req.uri()))
        .setHost(host)
        .setPort(port);
  }

  /**
   * Sets {@code upstream}'s fields from {@code req}; {@code route} is null on the way to the app.
   */
  void write(HttpServerRequest req, HttpClientRequest upstream, Route route) {
    // failures reach the response future; this only keeps Vert.x from logging them again
    upstream.exceptionHandler(e -> LOG.debug("Upstream of {} failed: {}", req.uri(), e.toString()));
    MultiMap headers = upstream.headers();
    ForwardHeaders.copyEndToEnd(
        req.headers(), headers, isUpgrade(req), upstream.version() == HttpVersion.HTTP_2);
    HostAndPort authority = req.authority();
    String host = authority == null ? null : authority.toString();
    if (host != null) {
      upstream.authority(authority);
    }
    ForwardHeaders.addForwarded(
        headers, clients.clientOf(req.remoteAddress()), host, req.isSSL() ? "https" : "http");
    if (route != null) {
      headers.set(RelayHeaders.INTERCEPT, route.interceptId());
      headers.set(RelayHeaders.WORKLOAD, workload);
    }
  }
}
