package io.sidetrack.router.auth;

import static java.util.Objects.requireNonNull;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/** Authenticates a request on the router's public port by its bearer token. */
public final class BearerAuth {
  private final Tokens tokens;

  public BearerAuth(Tokens tokens) {
    this.tokens = requireNonNull(tokens, "tokens");
  }

  /** The identity behind the request's bearer token; answers 401 itself when there is none. */
  public Optional<Tokens.Identity> authenticate(HttpServerRequest req) {
    String auth = req.getHeader(HttpHeaders.AUTHORIZATION);
    String token =
        auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
            ? auth.substring(7).trim()
            : null;
    Optional<Tokens.Identity> who = tokens.identify(token);
    if (who.isEmpty()) {
      req.response()
          .setStatusCode(401)
          .putHeader("WWW-Authenticate", "Bearer")
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(
              new JsonObject()
                  .put(
                      "error",
                      token == null
                          ? "no bearer token: pass --token or set SIDETRACK_TOKEN"
                          : "unknown token: the router's tokens file does not list it")
                  .encode());
    }
    return who;
  }
}
