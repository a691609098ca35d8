package io.sidetrack.edge.proxy;

import io.sidetrack.edge.dispatch.Dispatch;
import io.vertx.core.http.HttpServerRequest;

/**
 * Carries out a {@link Dispatch} for a request: how a relay hands a request back when its decision
 * changes.
 */
@FunctionalInterface
interface DispatchCarrier {
  /**
   * Sends {@code req} where {@code dispatch} says; {@code bodyless} when it has no body (else its
   * body is paused, untouched).
   */
  void carryOut(HttpServerRequest req, boolean bodyless, Dispatch dispatch);
}
