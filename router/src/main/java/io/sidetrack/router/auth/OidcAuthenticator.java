package io.sidetrack.router.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;

/**
 * JWT bearer tokens of an OpenID Connect issuer: each is checked by {@link JwtVerifier} against the
 * issuer's keys ({@link JwksCache}), then {@link ClaimMapping} names the developer and the
 * workloads they may intercept.
 */
public final class OidcAuthenticator implements Authenticator {
  private final JwksCache keys;
  private final JwtVerifier verifier;
  private final ClaimMapping mapping;
  private final Clock clock;

  OidcAuthenticator(JwksCache keys, JwtVerifier verifier, ClaimMapping mapping, Clock clock) {
    this.keys = requireNonNull(keys, "keys");
    this.verifier = requireNonNull(verifier, "verifier");
    this.mapping = requireNonNull(mapping, "mapping");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * JWTs that {@code issuer} signed for {@code audience}; its keys are fetched with a client of
   * {@code vertx} from {@code jwksUrl}, or ({@code null}) the URL its discovery document names.
   */
  public static OidcAuthenticator create(
      Vertx vertx,
      URI issuer,
      URI jwksUrl,
      String audience,
      Duration clockSkew,
      ClaimMapping mapping) {
    requireNonNull(vertx, "vertx");
    JwksCache keys =
        new JwksCache(
            vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5_000)),
            issuer,
            jwksUrl,
            System::nanoTime);
    return new OidcAuthenticator(
        keys, new JwtVerifier(issuer, audience, clockSkew), mapping, Clock.systemUTC());
  }

  /** Fetches the issuer's keys now, so that the first developer does not wait for them. */
  public Future<Void> warmUp() {
    return keys.keys().mapEmpty();
  }

  @Override
  public Future<Tokens.Identity> identify(String token) {
    SignedJWT jwt;
    try {
      jwt = JwtVerifier.parse(token);
    } catch (AuthenticationException e) {
      return Future.failedFuture(e);
    }
    return keys.keys()
        .compose(
            set -> {
              try {
                return Future.succeededFuture(verifier.verify(jwt, set, clock.instant()));
              } catch (JwtVerifier.UnknownKeyException unknown) {
                // the issuer may have rotated its keys: look once more (rate-limited)
                return keys.refreshed().map(fresh -> verifier.verify(jwt, fresh, clock.instant()));
              } catch (AuthenticationException e) {
                return Future.failedFuture(e);
              }
            })
        .map(mapping::identity);
  }
}
