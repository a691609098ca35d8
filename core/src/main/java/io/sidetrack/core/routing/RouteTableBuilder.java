package io.sidetrack.core.routing;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.MatchRules;
import java.time.Instant;
import java.util.AbstractList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Collects the routes of a first table one by one, compiling each as it is put (or, {@linkplain
 * #putDeferred deferred}, only what indexes it), so a new agent does so while it is still reading
 * the next ones; {@link #build} then only indexes them. Not thread-safe; not usable after {@link
 * #build}.
 */
public final class RouteTableBuilder {
  private Map<String, CompiledRoute> ids;
  private Consumer<String> broken = id -> {};

  RouteTableBuilder(int expected) {
    ids = new HashMap<>(Math.max(16, expected * 4 / 3 + 1));
  }

  /**
   * Adds {@code route}, or replaces the route of the same intercept.
   *
   * @throws RuntimeException when the route cannot be compiled (a regex RE2 refuses): nothing
   *     changes, what was there for its id stays
   */
  public RouteTableBuilder put(Route route) {
    requireNonNull(route, "route");
    CompiledRoute compiled = new CompiledRoute(route);
    ids().put(route.interceptId(), compiled);
    return this;
  }

  /** Removes the route of {@code interceptId}, if any. */
  public RouteTableBuilder remove(String interceptId) {
    ids().remove(interceptId);
    return this;
  }

  /** How many routes it holds. */
  public int size() {
    return ids().size();
  }

  /**
   * Adds a route of {@code interceptId} made at {@code createdAt} taking requests by {@code match},
   * or replaces the route of the same intercept, without the rest of it: it is indexed now and
   * decoded by {@code source} the first time a request is checked against it or its route is asked
   * for. {@code source} may be called from any thread, more than once if threads race (one result
   * is kept); it returns null, or throws, when the route cannot be decoded. A route that cannot be,
   * or that decodes to another intercept id, creation time or match than given here, matches no
   * request and has no route, and the {@link #whenBroken} listener is told its id, once.
   *
   * @throws IllegalArgumentException when it {@linkplain #canDefer cannot wait}: put it whole
   */
  public RouteTableBuilder putDeferred(
      String interceptId, Instant createdAt, MatchRules match, Supplier<Route> source) {
    requireNonNull(interceptId, "interceptId");
    requireNonNull(createdAt, "createdAt");
    requireNonNull(match, "match");
    requireNonNull(source, "source");
    ids().put(interceptId, CompiledRoute.deferred(interceptId, createdAt, match, source, broken));
    return this;
  }

  /**
   * Tells {@code listener} the intercept id of each route {@linkplain #putDeferred put deferred}
   * from now on that turns out, when first needed, not to decode (once each; on the thread that
   * needed it, perhaps an event loop: it must not block). By default nothing is told.
   */
  public RouteTableBuilder whenBroken(Consumer<String> listener) {
    broken = requireNonNull(listener, "listener");
    return this;
  }

  /**
   * Whether {@link #putDeferred} can take a route taking requests by {@code match}: an exact route
   * ({@link Precedence#EXACT_HEADER}) with no regex, found by its index keys and with nothing to
   * compile.
   */
  public static boolean canDefer(MatchRules match) {
    return CompiledRoute.canDefer(match);
  }

  /**
   * The routes it holds, in no particular order; a deferred route is decoded when its element is
   * got, and is null when it cannot be.
   */
  public List<Route> routes() {
    CompiledRoute[] held = ids().values().toArray(CompiledRoute.NONE);
    return new AbstractList<>() {
      @Override
      public Route get(int index) {
        return held[index].route();
      }

      @Override
      public int size() {
        return held.length;
      }
    };
  }

  /** The table of the routes put and not removed since. */
  public RouteTable build() {
    RouteTable table = RouteTable.build(ids());
    ids = null;
    return table;
  }

  private Map<String, CompiledRoute> ids() {
    if (ids == null) {
      throw new IllegalStateException("the table was built");
    }
    return ids;
  }
}
