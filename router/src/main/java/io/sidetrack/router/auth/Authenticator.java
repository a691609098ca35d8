package io.sidetrack.router.auth;

import io.vertx.core.Future;

/**
 * Who a bearer token belongs to. Implementations never block the calling thread (an event loop); a
 * result is usually complete at once, and later only while keys are fetched.
 */
public interface Authenticator {
  /**
   * The identity of {@code token} (not empty), or a future failed with an {@link
   * AuthenticationException} that says why not (any other failure: the router cannot tell now).
   */
  Future<Tokens.Identity> identify(String token);

  /**
   * The tokens file and OIDC together: a token that looks like a JWT goes to {@code oidc}, any
   * other to {@code tokens}. Either may be {@code null} (not configured), not both.
   */
  static Authenticator of(Authenticator tokens, Authenticator oidc) {
    if (tokens == null && oidc == null) {
      throw new IllegalArgumentException("neither a tokens file nor OIDC");
    }
    return token -> {
      boolean jwt = looksLikeJwt(token);
      if (jwt && oidc != null) {
        return oidc.identify(token);
      }
      if (tokens != null) {
        return tokens.identify(token);
      }
      return Future.failedFuture(
          new AuthenticationException(
              "malformed token: not a JWT (this router takes only its OIDC issuer's tokens)"));
    };
  }

  /** Three base64url parts whose first is a JSON object: how every JWS compact form looks. */
  static boolean looksLikeJwt(String token) {
    return token.startsWith("eyJ") && token.chars().filter(c -> c == '.').count() == 2;
  }
}
