package io.sidetrack.edge.proxy;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.http.ForwardedTrust;
import io.sidetrack.edge.bridge.BaggageBridging;
import io.sidetrack.edge.dispatch.Dispatcher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.ClientSSLOptions;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The edge agent's full reverse proxy (Vert.x; HTTP/1.1, h2c, upgrades): every request the fast
 * front does not carry itself. Per request the {@link Dispatcher} decides (no I/O) and {@link
 * RequestEntry} obeys: the local app ({@link AppRelay}), the router named in the route ({@link
 * RouterRelay}), or a fallback; bodies stream both ways with backpressure. This class owns the
 * server and the upstream clients.
 */
public final class EdgeProxy {
  private final Vertx vertx;
  private final HttpClientAgent app;
  private final HttpClient app2;
  private final HttpClientAgent routers;
  private final UpstreamLinks appLinks;
  private final UpstreamLinks routerLinks;
  private final HandedOffClients handedOff = new HandedOffClients();
  private final RequestEntry entry;
  private HttpServer server;

  /**
   * A proxy in front of the app at {@code appHost:appPort} ({@code appHttp2}: it speaks h2c, and
   * HTTP/2 requests reach it as such) for {@code workload}, routing by {@code dispatcher} and
   * bridging baggage by {@code bridging}, keeping the forwarding fields of the clients {@code
   * forwardedTrust} trusts.
   */
  public EdgeProxy(
      Vertx vertx,
      Dispatcher dispatcher,
      BaggageBridging bridging,
      ForwardedTrust forwardedTrust,
      String workload,
      String appHost,
      int appPort,
      boolean appHttp2,
      Duration routerConnectTimeout) {
    this(
        vertx,
        dispatcher,
        bridging,
        forwardedTrust,
        workload,
        appHost,
        appPort,
        appHttp2,
        routerConnectTimeout,
        null);
  }

  /**
   * A proxy as above that connects to every router over TLS as {@code routerSsl} says (its trust
   * and, for mutual TLS, its client certificate; host names verified), or plain ({@code null}).
   */
  public EdgeProxy(
      Vertx vertx,
      Dispatcher dispatcher,
      BaggageBridging bridging,
      ForwardedTrust forwardedTrust,
      String workload,
      String appHost,
      int appPort,
      boolean appHttp2,
      Duration routerConnectTimeout,
      ClientSSLOptions routerSsl) {
    this.vertx = requireNonNull(vertx, "vertx");
    requireNonNull(dispatcher, "dispatcher");
    requireNonNull(appHost, "appHost");
    long connectTimeoutMs = routerConnectTimeout.toMillis();
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
    HttpClientOptions routerOptions =
        new HttpClientOptions()
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            .setConnectTimeout((int) connectTimeoutMs);
    if (routerSsl != null) {
      routerOptions
          .setSsl(true)
          .setVerifyHost(true)
          .setTrustOptions(requireNonNull(routerSsl.getTrustOptions(), "routerSsl trust"))
          .setKeyCertOptions(routerSsl.getKeyCertOptions());
    }
    this.routers = vertx.createHttpClient(routerOptions, pool);
    this.appLinks = new UpstreamLinks(app);
    this.routerLinks = new UpstreamLinks(routers);
    UpstreamHead head =
        new UpstreamHead(
            workload,
            handedOff,
            requireNonNull(bridging, "bridging"),
            requireNonNull(forwardedTrust, "forwardedTrust"));
    this.entry =
        new RequestEntry(
            dispatcher,
            new AppRelay(appHost, appPort, appHttp2 ? app2 : app, appLinks, head),
            new RouterRelay(dispatcher, routers, routerLinks, connectTimeoutMs, head));
  }

  /** The fast front handed a client's connection over from its local {@code port}. */
  void handedOff(int port, InetSocketAddress client) {
    handedOff.handedOff(port, client);
  }

  /** The fast front's connection from {@code port}, handed over for {@code client}, closed. */
  void handedOffClosed(int port, InetSocketAddress client) {
    handedOff.closed(port, client);
  }

  /** Starts taking traffic; the future holds the bound port. */
  public Future<Integer> listen(String host, int port) {
    return vertx
        .createHttpServer(
            new HttpServerOptions()
                .setTcpNoDelay(true)
                .setHttp2ClearTextEnabled(true)
                .setStrictThreadMode(true))
        .requestHandler(entry::handle)
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

  /** Stops the clients. */
  public Future<Void> close() {
    return Future.all(app.close(), app2.close(), routers.close()).mapEmpty();
  }
}
