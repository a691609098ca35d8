package io.sidetrack.edge.routing;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.routing.Route;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.core.trust.Verification;
import io.sidetrack.schemas.RouteEntrySkim;
import java.util.function.Supplier;

/**
 * A decoded route entry and whether a trusted router signed it: checked on the decode thread as it
 * is decoded, or, while a partition is first read to its end, left for {@link RouteTrust} to check
 * before the route is first used. During a first read an exact route is not even decoded: it is
 * {@linkplain #deferred skimmed}, indexed by what the skim read, and decoded whole when first
 * needed. Made on a decode thread, used after that on the reader's thread.
 */
final class CheckedRoute {
  private final Route route;
  private final RouteEntrySkim.Skimmed skimmed;
  private final Supplier<Route> whole;
  private final TrustedKeys keys;
  private Verification verification;

  private CheckedRoute(Route route, TrustedKeys keys, Verification verification) {
    this.route = requireNonNull(route, "route");
    this.skimmed = null;
    this.whole = null;
    this.keys = requireNonNull(keys, "keys");
    this.verification = verification;
  }

  private CheckedRoute(RouteEntrySkim.Skimmed skimmed, Supplier<Route> whole, TrustedKeys keys) {
    this.route = null;
    this.skimmed = requireNonNull(skimmed, "skimmed");
    this.whole = requireNonNull(whole, "whole");
    this.keys = requireNonNull(keys, "keys");
  }

  /**
   * An exact route of a first read known by what {@code skimmed} read of it, decoded whole by
   * {@code whole} (null when it cannot be) when first needed; its signature is checked after that.
   */
  static CheckedRoute deferred(
      RouteEntrySkim.Skimmed skimmed, Supplier<Route> whole, TrustedKeys keys) {
    return new CheckedRoute(skimmed, whole, keys);
  }

  /** Whether it waits to be decoded: {@link #skimmed()} and {@link #whole()} say what it is. */
  boolean isDeferred() {
    return skimmed != null;
  }

  RouteEntrySkim.Skimmed skimmed() {
    return skimmed;
  }

  /** Decodes it whole: null when it cannot be. */
  Supplier<Route> whole() {
    return whole;
  }

  /** {@code route}, its signature checked now. */
  static CheckedRoute checked(Route route, TrustedKeys keys) {
    return new CheckedRoute(route, keys, keys.verify(route));
  }

  /** {@code route}, its signature not checked yet. */
  static CheckedRoute unchecked(Route route, TrustedKeys keys) {
    return new CheckedRoute(route, keys, null);
  }

  /** The route; null for a deferred one ({@link #whole()} decodes it). */
  Route route() {
    return route;
  }

  /**
   * This deferred route decoded now and its signature checked, as a change read while tailing is;
   * null when it cannot be decoded.
   */
  CheckedRoute decodedAndChecked() {
    Route decoded = whole.get();
    return decoded == null ? null : checked(decoded, keys);
  }

  /** Whether its signature was checked already. */
  boolean isChecked() {
    return verification != null;
  }

  /** Whether a trusted router signed it, checked now if it was not yet. */
  Verification verification() {
    if (verification == null) {
      verification = keys.verify(requireNonNull(route, "a deferred route is checked once decoded"));
    }
    return verification;
  }
}
