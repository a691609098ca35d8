package io.sidetrack.core.routing;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A route as the table holds it: its intercept id and creation time (the order of routes), its
 * precedence, the keys that index it, and its {@link RouteConditions} (what it takes, compiled).
 *
 * <p>A route may be <em>deferred</em>: known at first only by its intercept id, its creation time,
 * its precedence ({@link Precedence#EXACT_HEADER}, no regex) and the keys that index it, and
 * decoded from its source the first time a request is checked against it or its route is asked for.
 * A new agent so indexes 100,000 routes without decoding each one before it is ready. Decoding
 * happens once: threads that race to it all get the same {@link Route} instance.
 */
final class CompiledRoute {
  static final Comparator<CompiledRoute> OLDER_FIRST =
      Comparator.comparing((CompiledRoute c) -> c.createdAt).thenComparing(c -> c.interceptId);
  static final CompiledRoute[] NONE = new CompiledRoute[0];

  private static final VarHandle CONDITIONS;

  static {
    try {
      CONDITIONS =
          MethodHandles.lookup()
              .findVarHandle(CompiledRoute.class, "conditions", RouteConditions.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * A key a route is indexed under: an exact header value, or a baggage member.
   *
   * @param baggage whether {@code name} is a baggage key rather than a header name
   * @param name the lower-case header name or the baggage key
   * @param value the exact value
   */
  record IndexKey(boolean baggage, String name, String value) {}

  // not final: a deferred route points them at its decoded route's equal instances once decoded,
  // so that 100,000 routes do not keep two copies (a racing reader sees either: both immutable)
  String interceptId;
  Instant createdAt;
  final Precedence precedence;

  /**
   * The keys of a deferred route until it is decoded (kept for one that could not be); null for one
   * compiled at once or decoded since (its conditions know them).
   */
  private volatile List<IndexKey> deferredKeys;

  /** Where a deferred route is decoded from; null once it is (or for one compiled at once). */
  private volatile Supplier<Route> source;

  /**
   * Told the id of a deferred route that turned out broken, once; null for one compiled at once.
   */
  private final Consumer<String> broken;

  /** Set once (through {@link #CONDITIONS}); null while a deferred route is not decoded yet. */
  @SuppressWarnings("unused")
  private volatile RouteConditions conditions;

  CompiledRoute(Route route) {
    this.interceptId = route.interceptId();
    this.createdAt = route.createdAt();
    this.precedence = Precedence.of(route.match());
    this.deferredKeys = null;
    this.broken = null;
    this.conditions = new RouteConditions(route, precedence);
  }

  private CompiledRoute(
      String interceptId,
      Instant createdAt,
      List<IndexKey> keys,
      Supplier<Route> source,
      Consumer<String> broken) {
    this.interceptId = interceptId;
    this.createdAt = createdAt;
    this.precedence = Precedence.EXACT_HEADER;
    this.deferredKeys = keys;
    this.source = source;
    this.broken = broken;
  }

  /**
   * Whether a route taking requests by {@code match} can wait to be decoded: it is found by its
   * index keys ({@link Precedence#EXACT_HEADER}) and has nothing to compile (no regex), so that
   * decoding it later can fail only as its bytes can.
   */
  static boolean canDefer(MatchRules match) {
    if (Precedence.of(match) != Precedence.EXACT_HEADER || hasRegex(match.headers())) {
      return false;
    }
    for (AnyOf group : match.anyOf()) {
      if (hasRegex(group.headers())) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasRegex(List<HeaderMatch> headers) {
    for (int i = 0; i < headers.size(); i++) {
      if (headers.get(i).kind() == HeaderMatch.Kind.REGEX) {
        return true;
      }
    }
    return false;
  }

  /**
   * A route of {@code interceptId} made at {@code createdAt} taking requests by {@code match},
   * whose route is decoded by {@code source} when first needed; {@code broken} is told its id,
   * once, if it turns out it cannot be.
   *
   * @throws IllegalArgumentException when it {@linkplain #canDefer cannot wait}
   */
  static CompiledRoute deferred(
      String interceptId,
      Instant createdAt,
      MatchRules match,
      Supplier<Route> source,
      Consumer<String> broken) {
    if (!canDefer(match)) {
      throw new IllegalArgumentException(
          "only an exact route without regexes can be deferred; "
              + interceptId
              + " is "
              + Precedence.of(match));
    }
    return new CompiledRoute(interceptId, createdAt, indexKeys(match), source, broken);
  }

  /**
   * The route, decoded now if it was deferred; null when a deferred route could not be decoded (or
   * decoded to another intercept, time or keys than it was indexed by): such a route matches no
   * request.
   */
  Route route() {
    return conditions().route;
  }

  private RouteConditions conditions() {
    RouteConditions c = (RouteConditions) CONDITIONS.getAcquire(this);
    return c != null ? c : decoded();
  }

  private RouteConditions decoded() {
    Supplier<Route> from = source;
    if (from == null) {
      // decoded by another thread, which set the conditions before it dropped the source
      return (RouteConditions) CONDITIONS.getAcquire(this);
    }
    Route route;
    RouteConditions decoded;
    try {
      route = from.get();
      decoded =
          route != null
                  && route.interceptId().equals(interceptId)
                  && route.createdAt().equals(createdAt)
                  && canDefer(route.match())
                  && indexKeys(route.match()).equals(deferredKeys)
              ? new RouteConditions(route, Precedence.EXACT_HEADER)
              : RouteConditions.BROKEN;
    } catch (RuntimeException e) {
      // never out of here: this runs on the thread of the request that needed the route
      route = null;
      decoded = RouteConditions.BROKEN;
    }
    RouteConditions witness = (RouteConditions) CONDITIONS.compareAndExchange(this, null, decoded);
    if (witness != null) {
      return witness;
    }
    source = null; // the route's bytes can go
    if (decoded == RouteConditions.BROKEN) {
      try {
        broken.accept(interceptId);
      } catch (RuntimeException e) {
        // the listener's failure changes nothing here
      }
    } else {
      deferredKeys = null; // its conditions know them now (set before, so readers see them)
      interceptId = route.interceptId();
      createdAt = route.createdAt();
    }
    return decoded;
  }

  /**
   * The keys an exact route is indexed under, each once: a match holds one of them. Its first exact
   * required header (in the order {@link RouteConditions#HEADER_ORDER} sorts them), else every
   * alternative of its first exact any-of group.
   */
  static List<IndexKey> indexKeys(MatchRules m) {
    HeaderMatch first = null;
    List<HeaderMatch> required = m.headers();
    for (int i = 0; i < required.size(); i++) {
      HeaderMatch h = required.get(i);
      if (h.kind() == HeaderMatch.Kind.EXACT
          && (first == null || RouteConditions.HEADER_ORDER.compare(h, first) < 0)) {
        first = h;
      }
    }
    if (first != null) {
      return List.of(new IndexKey(false, first.name(), first.value()));
    }
    List<AnyOf> anyOf = m.anyOf();
    for (int g = 0; g < anyOf.size(); g++) {
      AnyOf group = anyOf.get(g);
      if (Precedence.isExact(group)) {
        Set<IndexKey> keys = new LinkedHashSet<>();
        for (HeaderMatch h : group.headers()) {
          keys.add(new IndexKey(false, h.name(), h.value()));
        }
        for (BaggageMatch b : group.baggage()) {
          keys.add(new IndexKey(true, b.key(), b.value()));
        }
        return List.copyOf(keys);
      }
    }
    throw new IllegalArgumentException("not an exact route: no exact header or exact group");
  }

  /** The keys an exact route is indexed under, each once: a match holds one of them. */
  List<IndexKey> indexKeys() {
    List<IndexKey> keys = deferredKeys;
    return keys != null ? keys : indexKeys(conditions().route.match());
  }

  /** Whether the request meets every condition. */
  boolean matches(RequestView request, RequestBaggage requestBaggage) {
    return conditions().matches(request, requestBaggage, 0, -1);
  }

  /**
   * Whether the request meets every condition of this exact route but the one it was found by in
   * the index, which holds.
   */
  boolean matchesBesidesIndex(RequestView request, RequestBaggage requestBaggage) {
    RouteConditions c = conditions();
    return c.indexGroup < 0
        ? c.matches(request, requestBaggage, 1, -1)
        : c.matches(request, requestBaggage, 0, c.indexGroup);
  }

  /**
   * The rules that took {@code request} as a person reads them, naming for each any-of group the
   * alternative that matched (the first that holds: headers before baggage, in the order written).
   */
  String description(RequestView request, RequestBaggage requestBaggage) {
    return conditions().description(precedence, request, requestBaggage);
  }

  static CompiledRoute[] sorted(List<CompiledRoute> routes) {
    CompiledRoute[] out = routes.toArray(CompiledRoute[]::new);
    Arrays.sort(out, OLDER_FIRST);
    return out;
  }

  /**
   * {@code bucket}, filled from its start and perhaps ending in nulls, with {@code added} after its
   * last route: in place when there is room, else in a copy of twice the length. Appending k routes
   * one by one so costs O(k log k), not O(k²).
   */
  static CompiledRoute[] appended(CompiledRoute[] bucket, CompiledRoute added) {
    int n = filled(bucket);
    if (n < bucket.length) {
      bucket[n] = added;
      return bucket;
    }
    CompiledRoute[] out = Arrays.copyOf(bucket, Math.max(2, bucket.length * 2));
    out[n] = added;
    return out;
  }

  /** How many routes a bucket {@link #appended} filled holds: the index of its first null. */
  static int filled(CompiledRoute[] bucket) {
    int lo = 0;
    int hi = bucket.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (bucket[mid] == null) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** {@code sorted} with {@code added} in its place. */
  static CompiledRoute[] inserted(CompiledRoute[] sorted, CompiledRoute added) {
    int at = 0;
    while (at < sorted.length && OLDER_FIRST.compare(sorted[at], added) < 0) {
      at++;
    }
    CompiledRoute[] out = new CompiledRoute[sorted.length + 1];
    System.arraycopy(sorted, 0, out, 0, at);
    out[at] = added;
    System.arraycopy(sorted, at, out, at + 1, sorted.length - at);
    return out;
  }

  /**
   * {@code sorted} without {@code gone}, which it holds once; {@link #NONE} when that empties it.
   */
  static CompiledRoute[] removed(CompiledRoute[] sorted, CompiledRoute gone) {
    if (sorted.length == 1 && sorted[0] == gone) {
      return NONE;
    }
    CompiledRoute[] out = new CompiledRoute[sorted.length - 1];
    int n = 0;
    for (CompiledRoute c : sorted) {
      if (c != gone) {
        out[n++] = c;
      }
    }
    return out;
  }
}
