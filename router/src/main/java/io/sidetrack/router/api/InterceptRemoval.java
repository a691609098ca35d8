package io.sidetrack.router.api;

import io.vertx.core.Future;

/**
 * Removes an intercept for the API: its tunnel on this router stops renewing, then the tombstone.
 */
@FunctionalInterface
public interface InterceptRemoval {
  /** Completes once the tombstone is written; fails when it could not be. */
  Future<Void> remove(String interceptId);
}
