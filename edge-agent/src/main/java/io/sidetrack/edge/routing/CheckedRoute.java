package io.sidetrack.edge.routing;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.routing.Route;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.core.trust.Verification;

/**
 * A decoded route entry and whether a trusted router signed it: checked on the decode thread as it
 * is decoded, or, while a partition is first read to its end, left for {@link RouteTrust} to check
 * before the route is first used. Made on a decode thread, used after that on the reader's thread.
 */
final class CheckedRoute {
  private final Route route;
  private final TrustedKeys keys;
  private Verification verification;

  private CheckedRoute(Route route, TrustedKeys keys, Verification verification) {
    this.route = requireNonNull(route, "route");
    this.keys = requireNonNull(keys, "keys");
    this.verification = verification;
  }

  /** {@code route}, its signature checked now. */
  static CheckedRoute checked(Route route, TrustedKeys keys) {
    return new CheckedRoute(route, keys, keys.verify(route));
  }

  /** {@code route}, its signature not checked yet. */
  static CheckedRoute unchecked(Route route, TrustedKeys keys) {
    return new CheckedRoute(route, keys, null);
  }

  Route route() {
    return route;
  }

  /** Whether its signature was checked already. */
  boolean isChecked() {
    return verification != null;
  }

  /** Whether a trusted router signed it, checked now if it was not yet. */
  Verification verification() {
    if (verification == null) {
      verification = keys.verify(route);
    }
    return verification;
  }
}
