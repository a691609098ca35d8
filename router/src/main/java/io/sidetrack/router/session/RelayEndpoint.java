package io.sidetrack.router.session;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.RelayHeaders;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * The relay port's request handler: an edge agent delivers a matched request naming its intercept
 * ({@link RelayHeaders#INTERCEPT}); the session holding it relays it through its tunnel, or {@link
 * NoTunnel} answers.
 */
public final class RelayEndpoint implements Handler<HttpServerRequest> {
  private final Tunnels tunnels;
  private final NoTunnel noTunnel;

  public RelayEndpoint(Tunnels tunnels, NoTunnel noTunnel) {
    this.tunnels = requireNonNull(tunnels, "tunnels");
    this.noTunnel = requireNonNull(noTunnel, "noTunnel");
  }

  @Override
  public void handle(HttpServerRequest req) {
    String id = req.getHeader(RelayHeaders.INTERCEPT);
    TunnelSession session = tunnels.holding(id);
    if (session == null) {
      noTunnel.answer(
          req,
          id == null
              ? "the request names no intercept (" + RelayHeaders.INTERCEPT + ")"
              : "no tunnel for intercept " + id + " on this router");
      return;
    }
    boolean upgrade =
        req.version() == HttpVersion.HTTP_1_1
            && req.headers().contains(HttpHeaders.UPGRADE)
            && !req.getHeader(HttpHeaders.UPGRADE).startsWith("h2c");
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    boolean hasBody =
        !upgrade
            && ((length != null && !length.equals("0"))
                || req.headers().contains(HttpHeaders.TRANSFER_ENCODING));
    if (hasBody) {
      req.pause();
    }
    session.relay(req, hasBody, upgrade);
  }
}
