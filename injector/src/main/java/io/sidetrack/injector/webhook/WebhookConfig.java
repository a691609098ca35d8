package io.sidetrack.injector.webhook;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The settings of the admission webhook server.
 *
 * @param host the address to listen on
 * @param port the port (0: any free one)
 * @param tlsCert PEM certificate chain served to kube-apiserver
 * @param tlsKey PEM private key of {@code tlsCert}
 * @param reloadInterval how often the PEM files are read again
 * @param maxBodyBytes the largest AdmissionReview accepted; a larger one gets 413
 */
public record WebhookConfig(
    String host, int port, Path tlsCert, Path tlsKey, Duration reloadInterval, int maxBodyBytes) {
  /** The listen address when none is given. */
  public static final String DEFAULT_LISTEN = "0.0.0.0:8443";

  /** kube-apiserver caps a request at 3 MiB; an AdmissionReview holds the object twice at most. */
  public static final int DEFAULT_MAX_BODY_BYTES = 7 * 1024 * 1024;

  /** How often the certificate files are read again by default. */
  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(5);

  public WebhookConfig {
    requireNonNull(host, "host");
    requireNonNull(tlsCert, "tlsCert");
    requireNonNull(tlsKey, "tlsKey");
    requireNonNull(reloadInterval, "reloadInterval");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("invalid port " + port);
    }
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("invalid maxBodyBytes " + maxBodyBytes);
    }
  }
}
