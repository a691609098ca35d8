package io.sidetrack.schemas.registry;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How to reach a schema registry that speaks the Confluent REST API (Confluent, Apicurio's {@code
 * /apis/ccompat/v7}, Karapace, Redpanda).
 *
 * @param url base URL, e.g. {@code http://127.0.0.1:8081}; {@code mock://name} selects an in-memory
 *     registry shared by every client with that URL (tests only)
 * @param basicAuthUserInfo {@code user:password} for HTTP basic auth, or {@code null}
 * @param bearerToken token for {@code Authorization: Bearer}, or {@code null}
 * @param trustStore PKCS12 or JKS trust store for TLS, or {@code null} for the JVM's default
 * @param trustStorePassword its password, or {@code null}
 * @param timeout connect and request timeout
 */
public record SchemaRegistryConfig(
    String url,
    String basicAuthUserInfo,
    String bearerToken,
    Path trustStore,
    String trustStorePassword,
    Duration timeout) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  public SchemaRegistryConfig {
    requireNonNull(url, "url");
    requireNonNull(timeout, "timeout");
    url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    if (!url.startsWith("mock://")) {
      URI uri;
      try {
        uri = URI.create(url);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("schema registry url: not a URL: '" + url + "'", e);
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        throw new IllegalArgumentException(
            "schema registry url: must start with http://, https:// or mock://, got '" + url + "'");
      }
    }
    if (basicAuthUserInfo != null && bearerToken != null) {
      throw new IllegalArgumentException(
          "schema registry: set basic auth or a bearer token, not both");
    }
  }

  /** A registry at {@code url} with no auth, default TLS and the default timeout. */
  public static SchemaRegistryConfig of(String url) {
    return new SchemaRegistryConfig(url, null, null, null, null, DEFAULT_TIMEOUT);
  }
}
