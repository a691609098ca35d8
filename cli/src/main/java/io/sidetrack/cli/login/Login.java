package io.sidetrack.cli.login;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * What {@code sidetrack login} keeps: the access token, and what is needed to refresh it.
 *
 * @param accessToken the bearer token for the router
 * @param refreshToken its refresh token ({@code ""}: none, as for a pasted token)
 * @param expiresAt when the access token expires ({@code null}: unknown)
 * @param tokenEndpoint the issuer's token endpoint ({@code ""}: none)
 * @param clientId the client the tokens were issued to ({@code ""}: none)
 */
public record Login(
    String accessToken,
    String refreshToken,
    Instant expiresAt,
    String tokenEndpoint,
    String clientId) {
  /** A token this close to its expiry is refreshed before use. */
  static final Duration EARLY = Duration.ofSeconds(30);

  public Login {
    requireNonNull(accessToken, "accessToken");
    requireNonNull(refreshToken, "refreshToken");
    requireNonNull(tokenEndpoint, "tokenEndpoint");
    requireNonNull(clientId, "clientId");
  }

  /** A pasted token: nothing to refresh it with. */
  public static Login pasted(String token) {
    return new Login(token, "", null, "", "");
  }

  /** Whether the access token is expired, or about to be, at {@code now}. */
  public boolean expired(Instant now) {
    return expiresAt != null && !now.plus(EARLY).isBefore(expiresAt);
  }

  public boolean refreshable() {
    return !refreshToken.isEmpty() && !tokenEndpoint.isEmpty() && !clientId.isEmpty();
  }
}
