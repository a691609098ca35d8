package io.sidetrack.router.preview;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * A workload's entry point, where its previews' requests go (its edge agent, or whatever fronts
 * it): plain HTTP at {@code host:port}.
 */
public record PreviewUpstream(String host, int port) {
  public PreviewUpstream {
    requireNonNull(host, "host");
  }

  /** The upstream of an {@code http://HOST:PORT} URL (as the router's configuration checked it). */
  public static PreviewUpstream of(URI url) {
    requireNonNull(url, "url");
    return new PreviewUpstream(url.getHost(), url.getPort() < 0 ? 80 : url.getPort());
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
