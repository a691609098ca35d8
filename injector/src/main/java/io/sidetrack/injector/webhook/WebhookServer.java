package io.sidetrack.injector.webhook;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sidetrack.injector.admission.AdmissionReviews;
import io.sidetrack.injector.admission.MalformedReviewException;
import io.sidetrack.router.tls.CertificateFiles;
import io.sidetrack.router.tls.CertificateReloader;
import io.sidetrack.router.tls.ListenerCertificate;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mutating admission webhook over HTTPS: {@code POST /mutate} answers an AdmissionReview v1
 * ({@link AdmissionReviews}), {@code GET /ready} says it serves. The review is parsed and answered
 * on a worker thread, never on the event loop; a body over {@link WebhookConfig#maxBodyBytes} is
 * refused with 413 before it is read whole. The certificate is re-read when its files change.
 */
public final class WebhookServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The path kube-apiserver posts reviews to (the MutatingWebhookConfiguration's path). */
  public static final String MUTATE_PATH = "/mutate";

  /** The readiness path. */
  public static final String READY_PATH = "/ready";

  private final Vertx vertx;
  private final boolean ownVertx;
  private final HttpServer server;
  private final CertificateReloader reloader;
  private final AtomicLong reviews = new AtomicLong();

  private WebhookServer(
      Vertx vertx, boolean ownVertx, HttpServer server, CertificateReloader reloader) {
    this.vertx = vertx;
    this.ownVertx = ownVertx;
    this.server = server;
    this.reloader = reloader;
  }

  /**
   * Starts the server on a Vert.x of its own.
   *
   * @throws IllegalArgumentException one line when the certificate files are missing or invalid, or
   *     the address cannot be listened on
   */
  public static WebhookServer start(WebhookConfig config, AdmissionReviews reviews) {
    Vertx vertx = Vertx.vertx();
    try {
      return start(vertx, true, config, reviews);
    } catch (RuntimeException e) {
      vertx.close();
      throw e;
    }
  }

  private static WebhookServer start(
      Vertx vertx, boolean ownVertx, WebhookConfig config, AdmissionReviews reviews) {
    requireNonNull(config, "config");
    requireNonNull(reviews, "reviews");
    CertificateFiles files =
        new CertificateFiles(
            config.tlsCert(),
            "--tls-cert (SIDETRACK_TLS_CERT)",
            config.tlsKey(),
            "--tls-key (SIDETRACK_TLS_KEY)",
            null,
            null);
    ListenerCertificate certificate = ListenerCertificate.read(vertx, files);
    HttpServerOptions options =
        certificate
            .applyTo(new HttpServerOptions())
            .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"))
            .setIdleTimeout(60)
            .setIdleTimeoutUnit(TimeUnit.SECONDS);
    WebhookServer[] self = new WebhookServer[1];
    HttpServer server =
        vertx
            .createHttpServer(options)
            .requestHandler(req -> self[0].handle(req, reviews, config.maxBodyBytes()));
    try {
      server
          .listen(config.port(), config.host())
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalArgumentException(
          "cannot listen on --listen "
              + config.host()
              + ":"
              + config.port()
              + " (SIDETRACK_INJECTOR_LISTEN): "
              + cause.getMessage(),
          cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting", e);
    }
    CertificateReloader reloader =
        CertificateReloader.watch(
            vertx, server, files, certificate, "injector listener", config.reloadInterval());
    self[0] = new WebhookServer(vertx, ownVertx, server, reloader);
    LOG.info(
        "injector listening on https://{}:{}{} ({})",
        config.host(),
        server.actualPort(),
        MUTATE_PATH,
        certificate.subject());
    return self[0];
  }

  /** The port listened on (the one chosen when the config said 0). */
  public int port() {
    return server.actualPort();
  }

  /** How many reviews were answered. */
  public long reviewsAnswered() {
    return reviews.get();
  }

  private void handle(HttpServerRequest req, AdmissionReviews answers, int maxBody) {
    if (req.path().equals(READY_PATH)) {
      req.response().putHeader("content-type", "text/plain").end("ready\n");
      return;
    }
    if (!req.path().equals(MUTATE_PATH)) {
      reply(req, 404, "not found: " + req.path());
      return;
    }
    if (req.method() != HttpMethod.POST) {
      req.response().putHeader("allow", "POST");
      reply(req, 405, "POST an AdmissionReview");
      return;
    }
    String length = req.getHeader("content-length");
    if (length != null && parseLong(length) > maxBody) {
      reply(req, 413, "AdmissionReview larger than " + maxBody + " bytes");
      req.connection().close();
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] tooLarge = {false};
    req.handler(
        chunk -> {
          if (tooLarge[0]) {
            return;
          }
          if (body.length() + chunk.length() > maxBody) {
            tooLarge[0] = true;
            reply(req, 413, "AdmissionReview larger than " + maxBody + " bytes");
            req.connection().close();
            return;
          }
          body.appendBuffer(chunk);
        });
    req.endHandler(
        v -> {
          if (tooLarge[0]) {
            return;
          }
          vertx
              .executeBlocking(() -> answer(answers, body), false)
              .onComplete(
                  ar -> {
                    if (ar.failed()) {
                      reply(req, 400, ar.cause().getMessage());
                      return;
                    }
                    reviews.incrementAndGet();
                    req.response()
                        .putHeader("content-type", "application/json")
                        .end(Buffer.buffer(ar.result()));
                  });
        });
  }

  /** Parses and answers one review (on a worker thread); its message is the 400 body on failure. */
  private static byte[] answer(AdmissionReviews answers, Buffer body)
      throws MalformedReviewException, IOException {
    JsonNode review;
    try {
      review = JSON.readTree(body.getBytes());
    } catch (JsonProcessingException e) {
      throw new MalformedReviewException("not JSON: " + e.getOriginalMessage());
    }
    AdmissionReviews.Outcome outcome = answers.answer(review);
    if (outcome.patched() || outcome.review().path("response").has("warnings")) {
      LOG.info("{}", outcome.summary());
    } else {
      LOG.debug("{}", outcome.summary());
    }
    return JSON.writeValueAsBytes(outcome.review());
  }

  private static void reply(HttpServerRequest req, int status, String message) {
    if (!req.response().ended()) {
      req.response()
          .setStatusCode(status)
          .putHeader("content-type", "text/plain")
          .end(message + "\n");
    }
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    reloader.close();
    try {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.debug("closing the server: {}", e.getMessage());
    }
    if (ownVertx) {
      vertx.close();
    }
  }
}
