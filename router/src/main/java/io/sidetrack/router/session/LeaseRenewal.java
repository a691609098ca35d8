package io.sidetrack.router.session;

import io.sidetrack.core.Intercept;
import io.sidetrack.router.cluster.Registrar;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;

/**
 * Keeps one registration's lease alive: publishes it, then renews it every third of its TTL (at
 * least every {@link #MIN_RENEWAL}) until stopped. Runs on the session's context; a failed publish
 * is reported there.
 */
final class LeaseRenewal {
  static final Duration MIN_RENEWAL = Duration.ofMillis(200);

  private final Vertx vertx;
  private final Registrar registrar;
  private final Context context;
  private final Handler<Throwable> failed;
  private Intercept intercept;
  private Duration ttl;
  private long timer = -1;

  LeaseRenewal(Vertx vertx, Registrar registrar, Context context, Handler<Throwable> failed) {
    this.vertx = vertx;
    this.registrar = registrar;
    this.context = context;
    this.failed = failed;
  }

  /** Publishes {@code registration} and renews it from now on. */
  void start(Intercept registration, Duration leaseTtl) {
    stop();
    intercept = registration;
    ttl = leaseTtl;
    publish();
    long every = Math.max(MIN_RENEWAL.toMillis(), ttl.toMillis() / 3);
    timer = vertx.setPeriodic(every, t -> renew());
  }

  /** Publishes the registration again with a fresh expiry. */
  void renew() {
    if (intercept == null) {
      return;
    }
    intercept = intercept.withExpiresAt(Instant.now().plus(ttl));
    publish();
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void publish() {
    registrar
        .publish(intercept)
        .whenComplete(
            (ok, e) -> {
              if (e != null) {
                context.runOnContext(v -> failed.handle(e));
              }
            });
  }
}
