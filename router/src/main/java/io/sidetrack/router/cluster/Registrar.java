package io.sidetrack.router.cluster;

import io.sidetrack.core.Intercept;
import java.util.concurrent.CompletableFuture;

/**
 * What a tunnel's lease needs of the intercepts topic: publish (or renew) its registration and
 * write its tombstone. Neither call blocks nor throws; failures fail the future.
 */
public interface Registrar {
  /** Publishes a registration (or its renewal). */
  CompletableFuture<Void> publish(Intercept intercept);

  /** Publishes the tombstone of an intercept. */
  CompletableFuture<Void> remove(String interceptId);
}
