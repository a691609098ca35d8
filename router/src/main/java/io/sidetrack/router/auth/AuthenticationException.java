package io.sidetrack.router.auth;

/**
 * A bearer token that does not authenticate anyone: missing, malformed, unknown, expired, or signed
 * by a key or for an issuer or audience the router does not accept. The message is the one-line
 * reason the router answers 401 with; the caller should not retry with the same token.
 */
public class AuthenticationException extends RuntimeException {
  public AuthenticationException(String reason) {
    super(reason, null, false, false);
  }
}
