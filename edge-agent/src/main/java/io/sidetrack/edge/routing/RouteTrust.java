package io.sidetrack.edge.routing;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.routing.Route;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.core.trust.Verification;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a route of the table may be routed by: a trusted router signed it. Each route is checked
 * once. Routes changed while the agent tails its partition are checked on the decode threads before
 * they are applied; the routes of a partition's first read are applied unchecked, so that a new
 * agent is ready without checking one signature per route first (tens of µs each: seconds for
 * 100,000), and are checked after that by a background thread, or by the first request that matches
 * one before that thread got to it. A refused route is counted and logged by {@link RouteRefusals},
 * and routing goes on as if it were not in the table; the feed's reader then takes it out of the
 * table ({@link #drainRefused}), so requests stop checking around it. Thread-safe: the event loops,
 * the feed's reader and the background check share one.
 */
final class RouteTrust {
  private static final Logger LOG = LoggerFactory.getLogger(RouteTrust.class);

  private final String workload;
  private final TrustedKeys keys;
  private final RouteRefusals refusals;

  /** The route checked and trusted for an intercept id (the instance in the table). */
  private final ConcurrentHashMap<String, Route> trusted = new ConcurrentHashMap<>();

  /** The route checked and refused for an intercept id. */
  private final ConcurrentHashMap<String, Route> refused = new ConcurrentHashMap<>();

  /** Routes refused since the reader last took them, to be taken out of the table if there. */
  private final ConcurrentLinkedQueue<Route> toDrop = new ConcurrentLinkedQueue<>();

  RouteTrust(String workload, TrustedKeys keys, RouteRefusals refusals) {
    this.workload = requireNonNull(workload, "workload");
    this.keys = requireNonNull(keys, "keys");
    this.refusals = requireNonNull(refusals, "refusals");
    loadSignatureCheckInBackground(keys, workload);
  }

  /**
   * Decodes the trusted keys on a thread of their own while the agent starts: the first check loads
   * and initializes the signature code (BouncyCastle's), which must neither delay the first read
   * nor fall on an event loop, where a request matching a route not checked yet checks it.
   */
  private static void loadSignatureCheckInBackground(TrustedKeys keys, String workload) {
    Thread t =
        new Thread(
            () -> {
              try {
                keys.checked();
              } catch (IllegalArgumentException e) {
                LOG.error(
                    "Trusted router keys of {}: {}; routes signed by it are refused",
                    workload,
                    e.getMessage());
              }
            },
            "route-trust-keys-" + workload);
    t.setDaemon(true);
    t.start();
  }

  /**
   * Whether {@code route} may be routed by: a trusted router signed it (checked now if not yet).
   */
  boolean allows(Route route) {
    String id = route.interceptId();
    if (trusted.get(id) == route) {
      return true;
    }
    if (refused.get(id) == route) {
      return false;
    }
    return record(route, keys.verify(route));
  }

  /**
   * Records what checking {@code route} found; a refusal is counted and logged.
   *
   * @return whether it is trusted
   */
  boolean record(Route route, Verification verification) {
    String id = route.interceptId();
    if (verification.isTrusted()) {
      trusted.put(id, route);
      refused.remove(id);
      return true;
    }
    // a route trusted before for this id stays trusted: a refused one never replaces it
    if (refused.put(id, route) != route) {
      toDrop.add(route);
    }
    refusals.refused(id, route.target(), verification);
    return false;
  }

  /** Hands each route refused since the last call to {@code drop}, once; on the reader's thread. */
  void drainRefused(Consumer<Route> drop) {
    for (Route route = toDrop.poll(); route != null; route = toDrop.poll()) {
      drop.accept(route);
    }
  }

  /** The intercept {@code id} has no route any more. */
  void forget(String id) {
    trusted.remove(id);
    refused.remove(id);
  }

  /**
   * Checks {@code routes} on a background thread, each one {@code stillInUse} and not checked yet;
   * returns at once. The list may decode a route when it is got (a deferred route of a first read)
   * and hold null for one that cannot be decoded, which is passed over.
   */
  void checkInBackground(List<Route> routes, Predicate<Route> stillInUse) {
    if (routes.isEmpty()) {
      return;
    }
    Thread t =
        new Thread(
            () -> {
              long started = System.nanoTime();
              int checked = 0;
              int refusedCount = 0;
              for (Route route : routes) {
                if (route == null) {
                  continue; // deferred, and it could not be decoded: it is in no one's way
                }
                String id = route.interceptId();
                if (trusted.get(id) == route || refused.get(id) == route) {
                  continue;
                }
                if (!stillInUse.test(route)) {
                  continue;
                }
                checked++;
                if (!allows(route)) {
                  refusedCount++;
                }
              }
              LOG.info(
                  "Signatures of {}'s {} routes loaded unchecked checked in the background in {} ms"
                      + " ({} checked here, the rest by requests or later changes; {} refused)",
                  workload,
                  routes.size(),
                  (System.nanoTime() - started) / 1_000_000,
                  checked,
                  refusedCount);
            },
            "route-trust-" + workload);
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }
}
