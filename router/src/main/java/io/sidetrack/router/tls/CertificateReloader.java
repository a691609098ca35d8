package io.sidetrack.router.tls;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Swaps a TLS listener's certificate when its files change: every {@code every} it reads them on a
 * worker thread, and a pair that differs from the one served and checks out is swapped in with
 * {@link HttpServer#updateSSLOptions}, for new connections. A bad new pair is logged once and the
 * old one kept.
 */
public final class CertificateReloader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

  /** How often the files are read. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final HttpServer server;
  private final CertificateFiles files;
  private final String listener;
  private final long timer;
  private volatile String served;
  private volatile String refused;
  private volatile boolean reading;

  private CertificateReloader(
      Vertx vertx,
      HttpServer server,
      CertificateFiles files,
      ListenerCertificate current,
      String listener,
      Duration every) {
    this.vertx = vertx;
    this.server = server;
    this.files = files;
    this.listener = listener;
    this.served = current.digest();
    this.timer = vertx.setPeriodic(Math.max(1, every.toMillis()), t -> check());
  }

  /**
   * Watches {@code files}, which {@code server} ({@code listener} in the log) serves as {@code
   * current}.
   */
  public static CertificateReloader watch(
      Vertx vertx,
      HttpServer server,
      CertificateFiles files,
      ListenerCertificate current,
      String listener,
      Duration every) {
    return new CertificateReloader(
        requireNonNull(vertx, "vertx"),
        requireNonNull(server, "server"),
        requireNonNull(files, "files"),
        requireNonNull(current, "current"),
        requireNonNull(listener, "listener"),
        requireNonNull(every, "every"));
  }

  private void check() {
    if (reading) {
      return;
    }
    reading = true;
    vertx
        .executeBlocking(() -> ListenerCertificate.read(vertx, files), false)
        .onComplete(
            ar -> {
              reading = false;
              if (ar.failed()) {
                refuse(String.valueOf(ar.cause().getMessage()), ar.cause().getMessage());
                return;
              }
              ListenerCertificate next = ar.result();
              if (next.digest().equals(served) || next.digest().equals(refused)) {
                return;
              }
              server
                  .updateSSLOptions(next.sslOptions())
                  .onSuccess(
                      v -> {
                        served = next.digest();
                        refused = null;
                        LOG.info(
                            "{}: new certificate {} from {}",
                            listener,
                            next.subject(),
                            files.cert());
                      })
                  .onFailure(e -> refuse(next.digest(), e.getMessage()));
            });
  }

  /** Logs a refused pair once per distinct failure; the served certificate stays. */
  private void refuse(String what, String why) {
    if (!what.equals(refused)) {
      refused = what;
      LOG.warn("{}: new certificate files refused, keeping the old one: {}", listener, why);
    }
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
  }
}
