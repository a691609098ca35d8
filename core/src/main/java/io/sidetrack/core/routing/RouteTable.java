package io.sidetrack.core.routing;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.MatchRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

/**
 * The compiled, immutable route table of one workload. Per request: exact values by hash lookup
 * (exact header values, and the baggage members of exact any-of groups), then regexes (RE2, linear
 * time, whole value), then path-only routes, then the global route; the first class with a match
 * wins (see {@link Precedence}) and within it the older route. All conditions of a route are ANDed,
 * an any-of group holding when one of its alternatives does; a header that appears several times
 * matches if any of its values does; baggage values are compared percent-decoded.
 *
 * <p>An exact route is indexed by its first exact required header value or, when its exactness
 * comes from an any-of group, under every alternative of that group: its header values in the
 * header index, its baggage members in the baggage index, which is looked up from the request's
 * parsed baggage (parsed only when the table has such routes). A request that carries several of
 * them finds the route more than once, which changes nothing.
 *
 * <p>Tables are persistent. {@link #compile} builds plain hash maps in one pass (a new agent's
 * first table, fast); {@link #with} and {@link #without} return a new table that keeps that base
 * and records the change in small persistent maps over it, sharing everything else with this one: a
 * change costs O(k log c) for an exact route indexed under k keys (c: changes since the base) and
 * O(n) for the n routes of the other, small classes. Once the changes outnumber the base, a change
 * folds them into a new base, so the work per change stays constant on average; readers keep the
 * table they hold.
 */
public final class RouteTable {
  /** Marks a base route as removed among the changes. */
  private static final CompiledRoute REMOVED =
      new CompiledRoute(
          new Route(
              "", "", "", MatchRules.globalRules(), "", Instant.EPOCH, FailureMode.FAIL_OPEN));

  /** Changes over a base of n routes are folded into a new base after max(n, this) of them. */
  static final int MIN_FOLD = 64;

  private static final RouteTable EMPTY =
      new RouteTable(
          ValueIndex.EMPTY,
          ValueIndex.EMPTY,
          Map.of(),
          HashTreePMap.empty(),
          CompiledRoute.NONE,
          CompiledRoute.NONE,
          CompiledRoute.NONE,
          0,
          0);

  /** Exact routes by lower-case header name, then value. */
  private final ValueIndex headerIndex;

  /** Exact routes found by a baggage alternative: by baggage key, then value. */
  private final ValueIndex baggageIndex;

  /** The base: routes by intercept id. */
  private final Map<String, CompiledRoute> baseIds;

  /** Routes changed since the base; {@link #REMOVED} for one removed. */
  private final PMap<String, CompiledRoute> byId;

  private final CompiledRoute[] regex;
  private final CompiledRoute[] pathOnly;
  private final CompiledRoute[] global;
  private final int size;
  private final int changes;

  private RouteTable(
      ValueIndex headerIndex,
      ValueIndex baggageIndex,
      Map<String, CompiledRoute> baseIds,
      PMap<String, CompiledRoute> byId,
      CompiledRoute[] regex,
      CompiledRoute[] pathOnly,
      CompiledRoute[] global,
      int size,
      int changes) {
    this.headerIndex = headerIndex;
    this.baggageIndex = baggageIndex;
    this.baseIds = baseIds;
    this.byId = byId;
    this.regex = regex;
    this.pathOnly = pathOnly;
    this.global = global;
    this.size = size;
    this.changes = changes;
  }

  /** A table with no routes. */
  public static RouteTable empty() {
    return EMPTY;
  }

  /**
   * Compiles {@code routes} (one per intercept id; a later one replaces an earlier); rules are
   * assumed valid (registry-stream checked them). Builds the base maps in one pass, for a new
   * agent's first table.
   */
  public static RouteTable compile(Collection<Route> routes) {
    requireNonNull(routes, "routes");
    RouteTableBuilder builder = new RouteTableBuilder(routes.size());
    for (Route route : routes) {
      builder.put(route);
    }
    return builder.build();
  }

  /**
   * A builder of a first table that compiles each route as it comes, for {@code expected} routes.
   */
  public static RouteTableBuilder builder(int expected) {
    return new RouteTableBuilder(expected);
  }

  static RouteTable build(Map<String, CompiledRoute> ids) {
    Map<String, Map<String, CompiledRoute[]>> byHeader = new HashMap<>();
    Map<String, Map<String, CompiledRoute[]>> byBaggage = new HashMap<>();
    List<CompiledRoute> regex = new ArrayList<>();
    List<CompiledRoute> pathOnly = new ArrayList<>();
    List<CompiledRoute> global = new ArrayList<>();
    int expected = Math.max(16, ids.size() * 4 / 3 + 1);
    for (CompiledRoute c : ids.values()) {
      switch (c.precedence) {
        case EXACT_HEADER -> {
          List<CompiledRoute.IndexKey> keys = c.indexKeys();
          for (int i = 0; i < keys.size(); i++) {
            CompiledRoute.IndexKey key = keys.get(i);
            Map<String, Map<String, CompiledRoute[]>> index = key.baggage() ? byBaggage : byHeader;
            Map<String, CompiledRoute[]> byValue = index.get(key.name());
            if (byValue == null) {
              byValue = new HashMap<>(expected);
              index.put(key.name(), byValue);
            }
            CompiledRoute[] bucket = byValue.get(key.value());
            // most buckets hold one route; the few larger ones are sorted by ValueIndex
            byValue.put(
                key.value(),
                bucket == null ? new CompiledRoute[] {c} : CompiledRoute.appended(bucket, c));
          }
        }
        case HEADER_REGEX -> regex.add(c);
        case PATH_ONLY -> pathOnly.add(c);
        case GLOBAL -> global.add(c);
      }
    }
    return new RouteTable(
        ValueIndex.of(byHeader),
        ValueIndex.of(byBaggage),
        ids,
        HashTreePMap.empty(),
        CompiledRoute.sorted(regex),
        CompiledRoute.sorted(pathOnly),
        CompiledRoute.sorted(global),
        ids.size(),
        0);
  }

  /** The route of an intercept, compiled. */
  private CompiledRoute compiled(String interceptId) {
    CompiledRoute changed = byId.get(interceptId);
    if (changed != null) {
      return changed == REMOVED ? null : changed;
    }
    return baseIds.get(interceptId);
  }

  /** This table with {@code route} added, or replacing the route of the same intercept. */
  public RouteTable with(Route route) {
    requireNonNull(route, "route");
    RouteTable base = compiled(route.interceptId()) != null ? without(route.interceptId()) : this;
    return base.plus(new CompiledRoute(route));
  }

  private RouteTable plus(CompiledRoute compiled) {
    PMap<String, CompiledRoute> ids = byId.plus(compiled.interceptId, compiled);
    RouteTable next =
        switch (compiled.precedence) {
          case EXACT_HEADER -> {
            ValueIndex headers = headerIndex;
            ValueIndex bags = baggageIndex;
            for (CompiledRoute.IndexKey key : compiled.indexKeys()) {
              if (key.baggage()) {
                bags = bags.plus(key.name(), key.value(), compiled);
              } else {
                headers = headers.plus(key.name(), key.value(), compiled);
              }
            }
            yield new RouteTable(
                headers, bags, baseIds, ids, regex, pathOnly, global, size + 1, changes + 1);
          }
          case HEADER_REGEX ->
              changed(ids, CompiledRoute.inserted(regex, compiled), pathOnly, global, size + 1);
          case PATH_ONLY ->
              changed(ids, regex, CompiledRoute.inserted(pathOnly, compiled), global, size + 1);
          case GLOBAL ->
              changed(ids, regex, pathOnly, CompiledRoute.inserted(global, compiled), size + 1);
        };
    return next.foldedIfDue();
  }

  private RouteTable changed(
      PMap<String, CompiledRoute> ids,
      CompiledRoute[] regex,
      CompiledRoute[] pathOnly,
      CompiledRoute[] global,
      int size) {
    return new RouteTable(
        headerIndex, baggageIndex, baseIds, ids, regex, pathOnly, global, size, changes + 1);
  }

  /** This table without the route of {@code interceptId} (itself when there is none). */
  public RouteTable without(String interceptId) {
    CompiledRoute gone = compiled(interceptId);
    if (gone == null) {
      return this;
    }
    PMap<String, CompiledRoute> ids =
        baseIds.containsKey(interceptId)
            ? byId.plus(interceptId, REMOVED)
            : byId.minus(interceptId);
    RouteTable next =
        switch (gone.precedence) {
          case EXACT_HEADER -> {
            ValueIndex headers = headerIndex;
            ValueIndex bags = baggageIndex;
            for (CompiledRoute.IndexKey key : gone.indexKeys()) {
              if (key.baggage()) {
                bags = bags.minus(key.name(), key.value(), gone);
              } else {
                headers = headers.minus(key.name(), key.value(), gone);
              }
            }
            yield new RouteTable(
                headers, bags, baseIds, ids, regex, pathOnly, global, size - 1, changes + 1);
          }
          case HEADER_REGEX ->
              changed(ids, CompiledRoute.removed(regex, gone), pathOnly, global, size - 1);
          case PATH_ONLY ->
              changed(ids, regex, CompiledRoute.removed(pathOnly, gone), global, size - 1);
          case GLOBAL ->
              changed(ids, regex, pathOnly, CompiledRoute.removed(global, gone), size - 1);
        };
    return next.foldedIfDue();
  }

  /** Folds the changes into a new base once they outnumber the base. */
  private RouteTable foldedIfDue() {
    if (changes < Math.max(MIN_FOLD, baseIds.size())) {
      return this;
    }
    Map<String, CompiledRoute> ids = new HashMap<>(Math.max(16, size * 4 / 3 + 1));
    baseIds.forEach(
        (id, c) -> {
          if (!byId.containsKey(id)) {
            ids.put(id, c);
          }
        });
    byId.forEach(
        (id, c) -> {
          if (c != REMOVED) {
            ids.put(id, c);
          }
        });
    return build(ids);
  }

  /** How many routes the table holds. */
  public int size() {
    return size;
  }

  /** The route of {@code interceptId}, if the table holds it. */
  public Optional<Route> route(String interceptId) {
    return Optional.ofNullable(compiled(interceptId)).map(CompiledRoute::route);
  }

  /**
   * The route that takes {@code request}, or empty when the workload's own app does. The match's
   * {@link RouteMatch#rule} names the conditions that took it, for an any-of group the alternative
   * that held.
   */
  public Optional<RouteMatch> routeFor(RequestView request) {
    RequestBaggage baggage = new RequestBaggage(request);
    CompiledRoute best = null;
    for (String name : headerIndex.names()) {
      List<String> values = request.headerValues(name);
      for (int i = 0; i < values.size(); i++) {
        best =
            older(
                best,
                firstMatchBesidesIndex(headerIndex.bucket(name, values.get(i)), request, baggage));
      }
    }
    for (String key : baggageIndex.names()) {
      String value = baggage.get(key);
      if (value != null) {
        best =
            older(best, firstMatchBesidesIndex(baggageIndex.bucket(key, value), request, baggage));
      }
    }
    if (best == null) {
      best = firstMatch(regex, request, baggage);
    }
    if (best == null) {
      best = firstMatch(pathOnly, request, baggage);
    }
    if (best == null && global.length > 0) {
      best = global[0];
    }
    return best == null
        ? Optional.empty()
        : Optional.of(
            new RouteMatch(best.route(), best.precedence, best.description(request, baggage)));
  }

  private static CompiledRoute older(CompiledRoute best, CompiledRoute candidate) {
    if (candidate == null) {
      return best;
    }
    return best == null || CompiledRoute.OLDER_FIRST.compare(candidate, best) < 0
        ? candidate
        : best;
  }

  /** The oldest route of an index bucket that meets its other conditions. */
  private static CompiledRoute firstMatchBesidesIndex(
      CompiledRoute[] bucket, RequestView request, RequestBaggage baggage) {
    for (CompiledRoute c : bucket) {
      if (c.matchesBesidesIndex(request, baggage)) {
        return c;
      }
    }
    return null;
  }

  private static CompiledRoute firstMatch(
      CompiledRoute[] routes, RequestView request, RequestBaggage baggage) {
    for (CompiledRoute c : routes) {
      if (c.matches(request, baggage)) {
        return c;
      }
    }
    return null;
  }
}
