package io.sidetrack.edge.proxy;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.RelayHeaders;
import io.sidetrack.core.routing.RequestView;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteMatch;
import io.sidetrack.edge.dispatch.RouterAddress;
import io.sidetrack.edge.dispatch.RouterBreaker;
import io.sidetrack.edge.routing.RouteFeed;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge agent's reverse proxy. Per request it reads the current route table (no I/O), sends a
 * matched request to the router named in its route and the rest to the local app, streaming bodies
 * both ways with backpressure. A router that cannot be reached, or that answers that the
 * developer's tunnel is gone, sends the request to the app instead ({@code sidetrack-fallback} on
 * the response), unless the intercept is fail-closed (503 with {@code Retry-After}).
 */
public final class EdgeProxy {

  private static final Logger LOG = LoggerFactory.getLogger(EdgeProxy.class);
  private static final String RETRY_AFTER_SECONDS = "5";

  private final Vertx vertx;
  private final RouteFeed routes;
  private final String workload;
  private final String appHost;
  private final int appPort;
  private final boolean appHttp2;
  private final long routerConnectTimeoutMs;
  private final RouterBreaker breaker;
  private final io.vertx.core.http.HttpClientAgent app;
  private final HttpClient app2;
  private final io.vertx.core.http.HttpClientAgent routers;
  private final UpstreamLinks appLinks;
  private final UpstreamLinks routerLinks;
  private final Counter toApp;
  private final Counter toIntercept;
  private final Counter failClosed;
  private final MeterRegistry meters;
  private final Map<String, Counter> fallbacks = new ConcurrentHashMap<>();

  /** Client addresses of connections the fast front handed over, by the front's local port. */
  private final Map<Integer, java.net.InetSocketAddress> fronted = new ConcurrentHashMap<>();

  /** Router addresses as routes name them, parsed once. */
  private final Map<String, Optional<HostAndPort>> targets = new ConcurrentHashMap<>();

  private final String appAddress;
  private HttpServer server;

  public EdgeProxy(
      Vertx vertx,
      RouteFeed routes,
      String workload,
      String appHost,
      int appPort,
      boolean appHttp2,
      Duration routerConnectTimeout,
      RouterBreaker breaker,
      MeterRegistry meters) {
    this.vertx = requireNonNull(vertx, "vertx");
    this.routes = requireNonNull(routes, "routes");
    this.workload = requireNonNull(workload, "workload");
    this.appHost = requireNonNull(appHost, "appHost");
    this.appPort = appPort;
    this.appAddress = appHost + ":" + appPort;
    this.appHttp2 = appHttp2;
    this.routerConnectTimeoutMs = routerConnectTimeout.toMillis();
    this.breaker = requireNonNull(breaker, "breaker");
    this.meters = meters;
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(256).setHttp2MaxSize(8);
    this.app =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true), pool);
    this.app2 =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false)
                .setTcpNoDelay(true),
            pool);
    this.routers =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setConnectTimeout((int) routerConnectTimeoutMs),
            pool);
    this.appLinks = new UpstreamLinks(app);
    this.routerLinks = new UpstreamLinks(routers);
    this.toApp = counter("app");
    this.toIntercept = counter("intercept");
    this.failClosed =
        Counter.builder("sidetrack.agent.fail.closed")
            .description("Matched requests answered 503 because their tunnel was unreachable")
            .register(meters);
  }

  void countApp() {
    toApp.increment();
  }

  void countIntercept() {
    toIntercept.increment();
  }

  void countFailClosed() {
    failClosed.increment();
  }

  void countFallback(String reason) {
    fallbackCounter(reason).increment();
  }

  /** The fast front handed a client's connection over from its local {@code port}. */
  void handedOff(int port, java.net.InetSocketAddress client) {
    fronted.put(port, client);
  }

  /** The connection from the front's {@code port} that carried {@code client}'s requests closed. */
  void handedOffClosed(int port, java.net.InetSocketAddress client) {
    fronted.remove(port, client);
  }

  private String clientAddress(HttpServerRequest req) {
    if (req.remoteAddress() == null) {
      return "unknown";
    }
    java.net.InetSocketAddress client = fronted.get(req.remoteAddress().port());
    if (client != null && "127.0.0.1".equals(req.remoteAddress().hostAddress())) {
      return client.getAddress().getHostAddress();
    }
    return req.remoteAddress().hostAddress();
  }

  private Counter counter(String destination) {
    return Counter.builder("sidetrack.agent.requests")
        .description("Requests by where they went")
        .tag("destination", destination)
        .register(meters);
  }

  private Counter fallbackCounter(String reason) {
    return fallbacks.computeIfAbsent(
        reason,
        r ->
            Counter.builder("sidetrack.agent.fallbacks")
                .description("Matched requests sent to the app because the tunnel was unreachable")
                .tag("reason", r)
                .register(meters));
  }

  /** Starts taking traffic; the future holds the bound port. */
  public Future<Integer> listen(String host, int port) {
    return vertx
        .createHttpServer(
            new HttpServerOptions()
                .setTcpNoDelay(true)
                .setHttp2ClearTextEnabled(true)
                .setStrictThreadMode(true))
        .requestHandler(this::handle)
        .connectionHandler(
            conn ->
                conn.closeHandler(
                    v -> {
                      appLinks.closed(conn);
                      routerLinks.closed(conn);
                    }))
        .listen(port, host)
        .map(
            s -> {
              server = s;
              return s.actualPort();
            });
  }

  /** The bound port. */
  public int port() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest req) {
    boolean bodyless = isBodyless(req);
    if (!bodyless) {
      req.pause();
    }
    Optional<RouteMatch> match = routes.current().routeFor(new View(req));
    if (match.isEmpty()) {
      toApp.increment();
      toApp(req, bodyless, null);
      return;
    }
    Route route = match.get().route();
    if (!breaker.allows(route.target())) {
      fallback(req, bodyless, route, "router-circuit-open");
      return;
    }
    toRouter(req, bodyless, route);
  }

  private static boolean isBodyless(HttpServerRequest req) {
    if (req.version() == HttpVersion.HTTP_2) {
      return req.isEnded();
    }
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    return (length == null || length.equals("0"))
        && !req.headers().contains(HttpHeaders.TRANSFER_ENCODING);
  }

  private boolean isUpgrade(HttpServerRequest req) {
    String upgrade = req.getHeader(HttpHeaders.UPGRADE);
    return upgrade != null && req.version() == HttpVersion.HTTP_1_1 && !upgrade.startsWith("h2c");
  }

  private void toApp(HttpServerRequest req, boolean bodyless, String fallbackReason) {
    RequestOptions options = options(req, appHost, appPort);
    Future<HttpClientRequest> request =
        req.version() == HttpVersion.HTTP_2
            ? (appHttp2 ? app2 : app).request(options)
            : appLinks.request(req.connection(), appAddress, options, 0);
    request.onComplete(
        ar -> {
          if (ar.failed()) {
            badGateway(req, "app unreachable at " + appHost + ":" + appPort, ar.cause());
            return;
          }
          HttpClientRequest upstream = ar.result();
          prepare(req, upstream, null);
          if (isUpgrade(req)) {
            tunnel(req, upstream, fallbackReason);
            return;
          }
          Future<HttpClientResponse> response = bodyless ? upstream.send() : upstream.send(req);
          response.onComplete(r -> respond(req, r, fallbackReason));
        });
  }

  private void toRouter(HttpServerRequest req, boolean bodyless, Route route) {
    HostAndPort target =
        targets
            .computeIfAbsent(
                route.target(),
                t -> RouterAddress.parse(t).map(a -> HostAndPort.create(a.host(), a.port())))
            .orElse(null);
    if (target == null) {
      fallback(req, bodyless, route, "bad-router-address");
      return;
    }
    RequestOptions options = options(req, target.host(), target.port());
    options.setConnectTimeout(routerConnectTimeoutMs);
    Future<HttpClientRequest> request =
        req.version() == HttpVersion.HTTP_2
            ? routers.request(options)
            : routerLinks.request(
                req.connection(), route.target(), options, routerConnectTimeoutMs);
    request.onComplete(
        ar -> {
          if (ar.failed()) {
            breaker.failed(route.target());
            LOG.debug("Router {} unreachable: {}", route.target(), ar.cause().toString());
            fallback(req, bodyless, route, "router-unreachable");
            return;
          }
          HttpClientRequest upstream = ar.result();
          prepare(req, upstream, route);
          if (isUpgrade(req)) {
            breaker.succeeded(route.target());
            toIntercept.increment();
            tunnel(req, upstream, null);
            return;
          }
          if (bodyless) {
            upstream
                .send()
                .onComplete(
                    r ->
                        fromRouter(
                            req, true, false, route, r.failed() ? null : r.result(), r.cause()));
            return;
          }
          // The body goes only once the router confirms the tunnel (100 Continue), so a
          // missing tunnel can still send the untouched request to the app.
          upstream.putHeader(HttpHeaders.EXPECT, "100-continue");
          if (!upstream.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            upstream.setChunked(true);
          }
          boolean[] bodySent = {false};
          upstream.continueHandler(
              v -> {
                bodySent[0] = true;
                req.pipeTo(upstream);
              });
          upstream
              .response()
              .onComplete(
                  r ->
                      fromRouter(
                          req,
                          false,
                          bodySent[0],
                          route,
                          r.failed() ? null : r.result(),
                          r.cause()));
          upstream.sendHead();
        });
  }

  /**
   * What the router answered. The request can still go to the app when nothing of it went to the
   * router but its head: bodyless, or its body held back for want of 100 Continue.
   */
  private void fromRouter(
      HttpServerRequest req,
      boolean bodyless,
      boolean bodySent,
      Route route,
      HttpClientResponse response,
      Throwable failure) {
    if (response == null) {
      if (req.response().closed()) {
        return; // the client went away (and took its links along): not the router's fault
      }
      breaker.failed(route.target());
      if (!req.response().headWritten() && !bodySent) {
        fallback(req, bodyless, route, "router-failed");
      } else {
        badGateway(req, "router " + route.target() + " failed", failure);
      }
      return;
    }
    breaker.succeeded(route.target());
    String noTunnel = response.getHeader(RelayHeaders.NO_TUNNEL);
    if (noTunnel != null && !bodySent) {
      response.end();
      fallback(req, bodyless, route, "no-tunnel");
      return;
    }
    toIntercept.increment();
    respond(req, response, null);
  }

  private void fallback(HttpServerRequest req, boolean bodyless, Route route, String reason) {
    if (route.failureMode() == FailureMode.FAIL_CLOSED) {
      failClosed.increment();
      req.resume();
      req.response()
          .setStatusCode(503)
          .putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
          .putHeader(RelayHeaders.FALLBACK, reason)
          .end(
              "intercept "
                  + route.interceptId()
                  + " of "
                  + route.owner()
                  + " is fail-closed and its tunnel is unreachable ("
                  + reason
                  + ")\n");
      return;
    }
    fallbackCounter(reason).increment();
    toApp.increment();
    toApp(req, bodyless, reason);
  }

  private RequestOptions options(HttpServerRequest req, String host, int port) {
    return new RequestOptions()
        .setMethod(req.method())
        .setURI(req.uri())
        .setHost(host)
        .setPort(port);
  }

  /** Sets the upstream request's headers; whether it is an upgrade (WebSocket) handshake. */
  private boolean prepare(HttpServerRequest req, HttpClientRequest upstream, Route route) {
    boolean upgrade = isUpgrade(req);
    // failures reach the response future; this only keeps Vert.x from logging them again
    upstream.exceptionHandler(e -> LOG.debug("Upstream of {} failed: {}", req.uri(), e.toString()));
    MultiMap headers = upstream.headers();
    ForwardHeaders.copyEndToEnd(req.headers(), headers, upgrade);
    HostAndPort authority = req.authority();
    String host = authority == null ? null : authority.toString();
    if (host != null) {
      upstream.authority(authority);
    }
    ForwardHeaders.addForwarded(headers, clientAddress(req), host, req.isSSL() ? "https" : "http");
    if (route != null) {
      headers.set(RelayHeaders.INTERCEPT, route.interceptId());
      headers.set(RelayHeaders.WORKLOAD, workload);
    }
    return upgrade;
  }

  private void respond(
      HttpServerRequest req, io.vertx.core.AsyncResult<HttpClientResponse> ar, String fallback) {
    if (ar.failed()) {
      badGateway(req, "upstream failed", ar.cause());
      return;
    }
    respond(req, ar.result(), fallback);
  }

  private void respond(HttpServerRequest req, HttpClientResponse response, String fallback) {
    HttpServerResponse out = req.response();
    out.setStatusCode(response.statusCode());
    out.setStatusMessage(response.statusMessage());
    ForwardHeaders.copyEndToEnd(response.headers(), out.headers(), false);
    if (fallback != null) {
      out.putHeader(RelayHeaders.FALLBACK, fallback);
    }
    if (!out.headers().contains(HttpHeaders.CONTENT_LENGTH)
        && req.version() != HttpVersion.HTTP_2) {
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
              if (!response.trailers().isEmpty()) {
                out.trailers().addAll(response.trailers());
              }
              out.end();
            });
  }

  /** A WebSocket (or other) upgrade: the handshake goes through, then raw bytes both ways. */
  private void tunnel(HttpServerRequest req, HttpClientRequest upstream, String fallback) {
    upstream
        .connect()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                badGateway(req, "upgrade failed", ar.cause());
                return;
              }
              HttpClientResponse response = ar.result();
              if (response.statusCode() != 101) {
                respond(req, response, fallback);
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

  private static void badGateway(HttpServerRequest req, String why, Throwable cause) {
    LOG.debug("502 for {}: {}: {}", req.uri(), why, cause == null ? "" : cause.toString());
    HttpServerResponse out = req.response();
    if (out.headWritten()) {
      out.reset();
      return;
    }
    req.resume();
    out.setStatusCode(502)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .end(why + "\n");
  }

  /** The request as the matcher sees it. */
  private static final class View implements RequestView {
    private final HttpServerRequest req;

    View(HttpServerRequest req) {
      this.req = req;
    }

    @Override
    public List<String> headerValues(String lowerCaseName) {
      return req.headers().getAll(lowerCaseName);
    }

    @Override
    public String path() {
      String path = req.path();
      return path == null ? "/" : path;
    }

    @Override
    public String method() {
      return req.method().name();
    }
  }

  /** Stops the clients. */
  public Future<Void> close() {
    return Future.all(app.close(), app2.close(), routers.close()).mapEmpty();
  }
}
