package io.sidetrack.router.session;

import static java.util.Objects.requireNonNull;

import io.sidetrack.router.auth.BearerAuth;
import io.sidetrack.router.auth.Tokens;
import io.sidetrack.tunnel.Control;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public port's tunnel endpoint ({@link Control#PATH}): authenticates the CLI by its bearer
 * token, refuses with 403 a tunnel for a workload the token may not intercept or for another
 * owner's intercept (when the upgrade request names them, {@link Control#WORKLOAD_PARAM} and {@link
 * Control#ID_PARAM}), accepts the WebSocket and starts a {@link TunnelSession} on it. The session
 * checks the intercept it is asked for again ({@link RegistrationCheck}).
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
    Optional<String> refusal = refusal(req, who);
    if (refusal.isPresent()) {
      LOG.info("Tunnel of {} refused: {}", who.name(), refusal.get());
      req.response()
          .setStatusCode(403)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(new JsonObject().put("error", refusal.get()).encode());
      return;
    }
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

  private Optional<String> refusal(HttpServerRequest req, Tokens.Identity who) {
    String workload = req.getParam(Control.WORKLOAD_PARAM);
    if (workload != null) {
      Optional<String> forbidden = RegistrationCheck.forbiddenWorkload(workload, who);
      if (forbidden.isPresent()) {
        return forbidden;
      }
    }
    String id = req.getParam(Control.ID_PARAM);
    return id == null
        ? Optional.empty()
        : RegistrationCheck.othersIntercept(id, who, services.view());
  }
}
