package io.sidetrack.router.session;

import static java.util.Objects.requireNonNull;

import io.sidetrack.router.auth.BearerAuth;
import io.sidetrack.router.auth.Tokens;
import io.sidetrack.tunnel.Control;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public port's tunnel endpoint ({@link Control#PATH}): authenticates the CLI by its bearer
 * token, accepts the WebSocket and starts a {@link TunnelSession} on it.
 */
public final class TunnelEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(TunnelEndpoint.class);

  private final BearerAuth auth;
  private final SessionServices services;

  public TunnelEndpoint(BearerAuth auth, SessionServices services) {
    this.auth = requireNonNull(auth, "auth");
    this.services = requireNonNull(services, "services");
  }

  /** Handles a request for {@link Control#PATH}. */
  public void handle(HttpServerRequest req) {
    auth.authenticate(req).onSuccess(who -> upgrade(req, who));
  }

  private void upgrade(HttpServerRequest req, Tokens.Identity who) {
    req.toWebSocket()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                LOG.debug("Tunnel handshake failed: {}", ar.cause().toString());
                return;
              }
              new TunnelSession(services, ar.result(), who).start();
            });
  }
}
