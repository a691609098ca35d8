package io.sidetrack.router.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.JWKSet;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuer's signing keys: fetched with a non-blocking client (the JWKS URL given, or the one its
 * discovery document names), kept, and fetched again when a token names a key the set does not
 * have, at most once per {@link #MIN_REFETCH} so that tokens with made-up key ids cannot make the
 * router hammer the issuer. One fetch is in flight at a time; callers share it.
 */
final class JwksCache {
  private static final Logger LOG = LoggerFactory.getLogger(JwksCache.class);

  /** The shortest time between two fetches (the first one is not limited). */
  static final Duration MIN_REFETCH = Duration.ofSeconds(30);

  /** Neither the discovery document nor a key set is larger. */
  static final int MAX_BODY = 512 * 1024;

  private final HttpClient client;
  private final URI issuer;
  private final URI jwksUrl;
  private final LongSupplier nanoClock;
  private JWKSet keys;
  private Future<JWKSet> inFlight;
  private long lastFetch;
  private boolean fetchedOnce;

  /**
   * @param jwksUrl the key set's URL, or {@code null}: from {@code issuer}'s discovery document
   */
  JwksCache(HttpClient client, URI issuer, URI jwksUrl, LongSupplier nanoClock) {
    this.client = requireNonNull(client, "client");
    this.issuer = requireNonNull(issuer, "issuer");
    this.jwksUrl = jwksUrl;
    this.nanoClock = requireNonNull(nanoClock, "nanoClock");
  }

  /** The keys as last fetched; fetched now if they never were (or the last fetch failed). */
  synchronized Future<JWKSet> keys() {
    if (keys != null) {
      return Future.succeededFuture(keys);
    }
    return fetch();
  }

  /**
   * The keys fetched again, if the last fetch is older than {@link #MIN_REFETCH}; else the keys as
   * they are.
   */
  synchronized Future<JWKSet> refreshed() {
    if (inFlight != null) {
      return inFlight;
    }
    if (fetchedOnce && nanoClock.getAsLong() - lastFetch < MIN_REFETCH.toNanos() && keys != null) {
      return Future.succeededFuture(keys);
    }
    return fetch();
  }

  private synchronized Future<JWKSet> fetch() {
    if (inFlight != null) {
      return inFlight;
    }
    fetchedOnce = true;
    lastFetch = nanoClock.getAsLong();
    Future<URI> where =
        jwksUrl != null ? Future.succeededFuture(jwksUrl) : discover().map(this::jwksUriOf);
    Future<JWKSet> fetching =
        where
            .compose(this::get)
            .map(
                body -> {
                  try {
                    return JWKSet.parse(body);
                  } catch (java.text.ParseException e) {
                    throw new IllegalStateException(
                        "the issuer's key set is not a JWKS: " + e.getMessage());
                  }
                });
    inFlight = fetching;
    fetching.onComplete(
        ar -> {
          synchronized (this) {
            inFlight = null;
            if (ar.succeeded()) {
              keys = ar.result();
              LOG.info("Keys of {}: {} keys", issuer, keys.getKeys().size());
            } else {
              LOG.warn("Keys of {} not fetched: {}", issuer, ar.cause().getMessage());
            }
          }
        });
    return fetching;
  }

  private Future<String> discover() {
    String base = issuer.toString();
    return get(
        URI.create(
            (base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                + "/.well-known/openid-configuration"));
  }

  private URI jwksUriOf(String discovery) {
    String uri;
    try {
      uri = new JsonObject(discovery).getString("jwks_uri");
    } catch (RuntimeException e) {
      throw new IllegalStateException("the issuer's discovery document is not JSON");
    }
    if (uri == null || !(uri.startsWith("https://") || uri.startsWith("http://"))) {
      throw new IllegalStateException("the issuer's discovery document names no jwks_uri");
    }
    return URI.create(uri);
  }

  private Future<String> get(URI url) {
    return client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(url.toString())
                .setConnectTimeout(5_000)
                .setIdleTimeout(10_000)
                .addHeader("Accept", "application/json"))
        .compose(req -> req.send())
        .compose(
            (HttpClientResponse res) -> {
              if (res.statusCode() != 200) {
                return Future.failedFuture(
                    new IllegalStateException(url + " answered " + res.statusCode()));
              }
              return res.body();
            })
        .compose(
            body ->
                body.length() > MAX_BODY
                    ? Future.failedFuture(
                        new IllegalStateException(url + " sent more than " + MAX_BODY + " bytes"))
                    : Future.succeededFuture(body.toString()))
        .recover(
            e ->
                Future.failedFuture(
                    e instanceof IllegalStateException
                        ? e
                        : new IllegalStateException(url + ": " + e.getMessage(), e)));
  }
}
