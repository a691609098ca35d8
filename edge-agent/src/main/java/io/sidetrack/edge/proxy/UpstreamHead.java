package io.sidetrack.edge.proxy;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.RelayHeaders;
import io.sidetrack.core.SidetrackId;
import io.sidetrack.core.baggage.BaggageBridge;
import io.sidetrack.core.http.ForwardedTrust;
import io.sidetrack.core.routing.Route;
import io.sidetrack.edge.bridge.BaggageBridging;
import io.vertx.core.MultiMap;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head of the request the full proxy sends upstream: the client's end-to-end fields, who asked
 * ({@code Forwarded}, {@code X-Forwarded-*}), the bridged baggage member ({@link BaggageBridging})
 * and, to a router, which intercept and workload.
 */
final class UpstreamHead {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamHead.class);

  private static final String BAGGAGE = "baggage";

  /**
   * The most a request's fields may take up here: what the server accepts of an HTTP/1.x head
   * ({@code maxHeaderSize}) and of an HTTP/2 header list ({@code SETTINGS_MAX_HEADER_LIST_SIZE}).
   */
  static final int MAX_FIELDS_SIZE =
      Math.min(
          HttpServerOptions.DEFAULT_MAX_HEADER_SIZE, Http2Settings.DEFAULT_MAX_HEADER_LIST_SIZE);

  private final String workload;
  private final HandedOffClients clients;
  private final BaggageBridging bridging;
  private final ForwardedTrust forwardedTrust;

  UpstreamHead(
      String workload,
      HandedOffClients clients,
      BaggageBridging bridging,
      ForwardedTrust forwardedTrust) {
    this.workload = requireNonNull(workload, "workload");
    this.clients = requireNonNull(clients, "clients");
    this.bridging = requireNonNull(bridging, "bridging");
    this.forwardedTrust = requireNonNull(forwardedTrust, "forwardedTrust");
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
    String client = clients.clientOf(req.remoteAddress());
    if (!forwardedTrust.trusts(client)) {
      ForwardHeaders.removeForwarded(headers);
    }
    ForwardHeaders.addForwarded(headers, client, host, req.isSSL() ? "https" : "http");
    if (bridging.applies(req.headers().contains(SidetrackId.HEADER), route)) {
      bridge(req, headers, route);
    }
    if (route != null) {
      headers.set(RelayHeaders.INTERCEPT, route.interceptId());
      headers.set(RelayHeaders.WORKLOAD, workload);
    }
  }

  /**
   * Adds the bridged baggage member to the fields going upstream ({@code route}: the router's,
   * null: the app's), at the end of their last {@code baggage} field or in one of its own.
   */
  private void bridge(HttpServerRequest req, MultiMap headers, Route route) {
    List<String> baggage = headers.getAll(BAGGAGE);
    BaggageBridge.Merge merge =
        bridging.merge(
            baggage,
            req.headers().getAll(SidetrackId.HEADER),
            route,
            MAX_FIELDS_SIZE - fieldsSize(req));
    if (merge == null) {
      return;
    }
    if (merge.field() < 0) {
      headers.add(BAGGAGE, merge.text());
      return;
    }
    headers.remove(BAGGAGE);
    for (String value : merge.applyTo(baggage)) {
      headers.add(BAGGAGE, value);
    }
  }

  /** The size of {@code req}'s fields as the server measured them against its limit. */
  private static int fieldsSize(HttpServerRequest req) {
    // HTTP/2 counts 32 octets per field (RFC 9113 section 6.5.2); HTTP/1.x the ": " and CRLF
    int perField = req.version() == HttpVersion.HTTP_2 ? 32 : 4;
    int size = 0;
    for (Map.Entry<String, String> field : req.headers()) {
      size += field.getKey().length() + field.getValue().length() + perField;
    }
    return size;
  }
}
