package io.sidetrack.router.auth;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/** Authenticates a request on the router's public port by its bearer token. */
public final class BearerAuth {
  private final Authenticator authenticator;

  public BearerAuth(Authenticator authenticator) {
    this.authenticator = requireNonNull(authenticator, "authenticator");
  }

  /**
   * The identity behind the request's bearer token. When there is none, the future fails and the
   * request has been answered: 401 with the reason, or 503 when the router cannot check the token
   * now (its issuer's keys cannot be fetched). The request is paused until the answer is known.
   */
  public Future<Tokens.Identity> authenticate(HttpServerRequest req) {
    String auth = req.getHeader(HttpHeaders.AUTHORIZATION);
    String token =
        auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
            ? auth.substring(7).trim()
            : null;
    if (token == null || token.isEmpty()) {
      unauthorized(req, "no bearer token: pass --token, set SIDETRACK_TOKEN or 'sidetrack login'");
      return Future.failedFuture(new AuthenticationException("no bearer token"));
    }
    Future<Tokens.Identity> who = authenticator.identify(token);
    if (who.isComplete()) {
      return answered(req, who);
    }
    req.pause();
    return who.transform(
        ar -> {
          req.resume();
          return answered(req, ar.succeeded() ? Future.succeededFuture(ar.result()) : who);
        });
  }

  private static Future<Tokens.Identity> answered(
      HttpServerRequest req, Future<Tokens.Identity> who) {
    if (who.failed()) {
      if (who.cause() instanceof AuthenticationException e) {
        unauthorized(req, e.getMessage());
      } else {
        req.response()
            .setStatusCode(503)
            .putHeader("Retry-After", "5")
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(
                new JsonObject()
                    .put("error", "cannot check the token now: " + who.cause().getMessage())
                    .encode());
      }
    }
    return who;
  }

  private static void unauthorized(HttpServerRequest req, String reason) {
    req.response()
        .setStatusCode(401)
        .putHeader("WWW-Authenticate", "Bearer")
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", reason).encode());
  }
}
