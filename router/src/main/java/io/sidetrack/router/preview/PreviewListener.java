package io.sidetrack.router.preview;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The preview listener, put together: its HTTP server with {@link PreviewEndpoint}, and the {@link
 * PreviewLinks} that sessions hand out for it.
 */
public final class PreviewListener {
  private final HttpServer server;
  private final PreviewLinks links;

  private PreviewListener(HttpServer server, PreviewLinks links) {
    this.server = server;
    this.links = links;
  }

  /**
   * Listens on {@code host:port} for the hosts of {@code site}, serving {@code previews}.
   *
   * @param upstreams each workload's entry point
   * @param identityOf the identity a visitor's token is of (a failed future: none, with the reason)
   */
  public static Future<PreviewListener> start(
      Vertx vertx,
      String host,
      int port,
      PreviewSite site,
      Previews previews,
      Map<String, PreviewUpstream> upstreams,
      Function<String, Future<String>> identityOf) {
    requireNonNull(vertx, "vertx");
    requireNonNull(site, "site");
    requireNonNull(previews, "previews");
    PreviewCodes codes = new PreviewCodes();
    PreviewProxy proxy =
        new PreviewProxy(
            vertx,
            vertx.createHttpClient(
                new HttpClientOptions()
                    .setConnectTimeout(5_000)
                    .setTcpNoDelay(true)
                    .setMaxInitialLineLength(16 * 1024)
                    .setMaxHeaderSize(64 * 1024),
                new PoolOptions().setHttp1MaxSize(64)));
    PreviewSignIn signIn = new PreviewSignIn(identityOf, codes, site.secureCookies());
    return vertx
        .createHttpServer(
            new HttpServerOptions()
                .setTcpNoDelay(true)
                .setMaxInitialLineLength(16 * 1024)
                .setMaxHeaderSize(64 * 1024)
                .setHandle100ContinueAutomatically(true)
                .setIdleTimeout(120)
                .setIdleTimeoutUnit(TimeUnit.SECONDS))
        .requestHandler(new PreviewEndpoint(site, previews, signIn, proxy))
        .listen(port, host)
        .map(
            server ->
                new PreviewListener(
                    server, new PreviewIssuer(previews, site, server.actualPort(), upstreams)));
  }

  /** The bound port. */
  public int port() {
    return server.actualPort();
  }

  public PreviewLinks links() {
    return links;
  }
}
