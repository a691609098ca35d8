package io.sidetrack.router.preview;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * Where previews live: the host {@code <code>.<domain>} of each, and the one place that chooses
 * their scheme ({@code https} once the preview listener has TLS, which also makes sign-in cookies
 * {@code Secure}).
 *
 * @param domain the suffix after the code, e.g. {@code preview.localhost}
 * @param tls whether the preview listener speaks TLS
 */
public record PreviewSite(String domain, boolean tls) {
  public PreviewSite {
    domain = requireNonNull(domain, "domain").toLowerCase(Locale.ROOT);
  }

  /** What a request's host names. */
  public sealed interface Host {}

  /** A label right under the domain: a code, if one was issued. */
  public record Code(String code) implements Host {}

  /** The domain itself, with no code. */
  public record Apex() implements Host {}

  /** A host that is not under the domain (or is more than one label under it). */
  public record Foreign() implements Host {}

  /** {@code http} or {@code https}. */
  public String scheme() {
    return tls ? "https" : "http";
  }

  /** Whether sign-in cookies get the {@code Secure} attribute. */
  public boolean secureCookies() {
    return tls;
  }

  /** The preview URL of {@code code} on a listener reached at {@code port}. */
  public String url(String code, int port) {
    return scheme() + "://" + code + "." + domain + ":" + port + "/";
  }

  /** Reads a request's host (without its port; null when the request named none). */
  public Host parse(String host) {
    if (host == null) {
      return new Foreign();
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (h.equals(domain)) {
      return new Apex();
    }
    if (!h.endsWith("." + domain)) {
      return new Foreign();
    }
    String label = h.substring(0, h.length() - domain.length() - 1);
    return label.isEmpty() || label.indexOf('.') >= 0 ? new Foreign() : new Code(label);
  }
}
