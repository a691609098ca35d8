package io.sidetrack.router.session;

import io.sidetrack.schemas.avro.AuditEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tunnel sessions a router holds: every open one, and by intercept id the one that holds each
 * intercept. Safe on any thread; a session itself is touched only on its own context.
 */
public final class Tunnels {
  private final Map<String, TunnelSession> byIntercept = new ConcurrentHashMap<>();
  private final Set<TunnelSession> open = ConcurrentHashMap.newKeySet();

  void opened(TunnelSession session) {
    open.add(session);
  }

  void closed(TunnelSession session) {
    open.remove(session);
  }

  /** Makes {@code session} the holder of {@code interceptId}; returns the previous holder. */
  TunnelSession claim(String interceptId, TunnelSession session) {
    return byIntercept.put(interceptId, session);
  }

  /** {@code session} no longer holds {@code interceptId} (unless another took it over). */
  void release(String interceptId, TunnelSession session) {
    byIntercept.remove(interceptId, session);
  }

  /** The session holding an intercept, or null. */
  TunnelSession holding(String interceptId) {
    return interceptId == null ? null : byIntercept.get(interceptId);
  }

  /** How many intercepts tunnels hold here. */
  public int held() {
    return byIntercept.size();
  }

  /**
   * The cluster view read a batch: each session hears the decisions and re-checks activation, on
   * its own context.
   */
  public void clusterChanged(List<AuditEvent> audit) {
    for (TunnelSession s : open) {
      s.context()
          .runOnContext(
              v -> {
                for (AuditEvent e : audit) {
                  s.audit(e);
                }
                s.evaluate();
              });
    }
  }

  /**
   * Ends the tunnel of an intercept about to be removed through the API, if a session here holds
   * it, so that no renewal follows the tombstone; the future completes once it stopped renewing.
   */
  public Future<Void> removing(String interceptId) {
    TunnelSession s = byIntercept.get(interceptId);
    if (s == null) {
      return Future.succeededFuture();
    }
    Promise<Void> stopped = Promise.promise();
    s.context()
        .runOnContext(
            v -> {
              s.removedByApi();
              stopped.complete();
            });
    return stopped.future();
  }
}
