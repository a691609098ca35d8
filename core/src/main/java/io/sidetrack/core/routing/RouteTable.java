package io.sidetrack.core.routing;

import static java.util.Objects.requireNonNull;

import com.google.re2j.Pattern;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.HeaderMatch;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

/**
 * The compiled, immutable route table of one workload. Per request: exact header values by hash
 * lookup, then regexes (RE2, linear time, whole value), then path-only routes, then the global
 * route; the first class with a match wins and within it the older route. All conditions of a route
 * are ANDed; a header that appears several times matches if any of its values does.
 *
 * <p>Tables are persistent. {@link #compile} builds plain hash maps in one pass (a new agent's
 * first table, fast); {@link #with} and {@link #without} return a new table that keeps that base
 * and records the change in small persistent maps over it, sharing everything else with this one: a
 * change costs O(log c) for exact-header routes (c: changes since the base) and O(k) for the k
 * routes of the other, small classes. Once the changes outnumber the base, a change folds them into
 * a new base, so the work per change stays constant on average; readers keep the table they hold.
 */
public final class RouteTable {
  private static final Comparator<CompiledRoute> OLDER_FIRST =
      Comparator.comparing((CompiledRoute c) -> c.route.createdAt())
          .thenComparing(c -> c.route.interceptId());
  private static final CompiledRoute[] NONE = new CompiledRoute[0];
  private static final Comparator<HeaderMatch> HEADER_ORDER =
      Comparator.comparing((HeaderMatch h) -> h.kind())
          .thenComparing(HeaderMatch::name)
          .thenComparing(HeaderMatch::value);

  /** Marks a base route as removed among the changes. */
  private static final CompiledRoute REMOVED =
      new CompiledRoute(
          new Route(
              "",
              "",
              "",
              io.sidetrack.core.MatchRules.globalRules(),
              "",
              java.time.Instant.EPOCH,
              io.sidetrack.core.FailureMode.FAIL_OPEN));

  /** Changes over a base of n routes are folded into a new base after max(n, this) of them. */
  static final int MIN_FOLD = 64;

  private static final RouteTable EMPTY =
      new RouteTable(
          Map.of(), Map.of(), HashTreePMap.empty(), HashTreePMap.empty(), NONE, NONE, NONE, 0, 0);

  /** The base: exact routes by lower-case name, then value of their first exact condition. */
  private final Map<String, Map<String, CompiledRoute[]>> baseExact;

  /** The base: routes by intercept id. */
  private final Map<String, CompiledRoute> baseIds;

  /** Buckets changed since the base, whole; {@link #NONE} for one emptied. */
  private final PMap<String, PMap<String, CompiledRoute[]>> exact;

  /** Routes changed since the base; {@link #REMOVED} for one removed. */
  private final PMap<String, CompiledRoute> byId;

  private final String[] exactNames;
  private final CompiledRoute[] regex;
  private final CompiledRoute[] pathOnly;
  private final CompiledRoute[] global;
  private final int size;
  private final int changes;

  private RouteTable(
      Map<String, Map<String, CompiledRoute[]>> baseExact,
      Map<String, CompiledRoute> baseIds,
      PMap<String, PMap<String, CompiledRoute[]>> exact,
      PMap<String, CompiledRoute> byId,
      CompiledRoute[] regex,
      CompiledRoute[] pathOnly,
      CompiledRoute[] global,
      int size,
      int changes) {
    this.baseExact = baseExact;
    this.baseIds = baseIds;
    this.exact = exact;
    this.byId = byId;
    java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>(baseExact.keySet());
    names.addAll(exact.keySet());
    this.exactNames = names.toArray(String[]::new);
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
    Map<String, CompiledRoute> ids = new HashMap<>(Math.max(16, routes.size() * 4 / 3 + 1));
    for (Route route : routes) {
      ids.put(route.interceptId(), new CompiledRoute(route));
    }
    return build(ids);
  }

  private static RouteTable build(Map<String, CompiledRoute> ids) {
    Map<String, Map<String, List<CompiledRoute>>> exact = new HashMap<>();
    List<CompiledRoute> regex = new ArrayList<>();
    List<CompiledRoute> pathOnly = new ArrayList<>();
    List<CompiledRoute> global = new ArrayList<>();
    for (CompiledRoute c : ids.values()) {
      switch (c.precedence) {
        case EXACT_HEADER -> {
          HeaderMatch key = c.indexKey();
          exact
              .computeIfAbsent(key.name(), n -> new HashMap<>())
              .computeIfAbsent(key.value(), v -> new ArrayList<>(1))
              .add(c);
        }
        case HEADER_REGEX -> regex.add(c);
        case PATH_ONLY -> pathOnly.add(c);
        case GLOBAL -> global.add(c);
      }
    }
    Map<String, Map<String, CompiledRoute[]>> byName = new HashMap<>();
    exact.forEach(
        (name, byValue) -> {
          Map<String, CompiledRoute[]> buckets = new HashMap<>(byValue.size() * 4 / 3 + 1);
          byValue.forEach((value, list) -> buckets.put(value, sorted(list)));
          byName.put(name, buckets);
        });
    return new RouteTable(
        byName,
        ids,
        HashTreePMap.empty(),
        HashTreePMap.empty(),
        sorted(regex),
        sorted(pathOnly),
        sorted(global),
        ids.size(),
        0);
  }

  private static CompiledRoute[] sorted(List<CompiledRoute> routes) {
    CompiledRoute[] out = routes.toArray(CompiledRoute[]::new);
    java.util.Arrays.sort(out, OLDER_FIRST);
    return out;
  }

  /** The route of an intercept, compiled. */
  private CompiledRoute compiled(String interceptId) {
    CompiledRoute changed = byId.get(interceptId);
    if (changed != null) {
      return changed == REMOVED ? null : changed;
    }
    return baseIds.get(interceptId);
  }

  /** The routes whose first exact condition is {@code name: value}, oldest first. */
  private CompiledRoute[] bucket(String name, String value) {
    PMap<String, CompiledRoute[]> changed = exact.get(name);
    if (changed != null) {
      CompiledRoute[] b = changed.get(value);
      if (b != null) {
        return b;
      }
    }
    Map<String, CompiledRoute[]> base = baseExact.get(name);
    CompiledRoute[] b = base == null ? null : base.get(value);
    return b == null ? NONE : b;
  }

  /** This table with {@code route} added, or replacing the route of the same intercept. */
  public RouteTable with(Route route) {
    requireNonNull(route, "route");
    RouteTable base = compiled(route.interceptId()) != null ? without(route.interceptId()) : this;
    return base.plus(new CompiledRoute(route));
  }

  private RouteTable plus(CompiledRoute compiled) {
    String id = compiled.route.interceptId();
    PMap<String, CompiledRoute> ids = byId.plus(id, compiled);
    RouteTable next =
        switch (compiled.precedence) {
          case EXACT_HEADER -> {
            HeaderMatch key = compiled.indexKey();
            CompiledRoute[] bucket = insert(bucket(key.name(), key.value()), compiled);
            PMap<String, CompiledRoute[]> byValue =
                exact.getOrDefault(key.name(), HashTreePMap.empty());
            yield new RouteTable(
                baseExact,
                baseIds,
                exact.plus(key.name(), byValue.plus(key.value(), bucket)),
                ids,
                regex,
                pathOnly,
                global,
                size + 1,
                changes + 1);
          }
          case HEADER_REGEX -> changed(ids, insert(regex, compiled), pathOnly, global, size + 1);
          case PATH_ONLY -> changed(ids, regex, insert(pathOnly, compiled), global, size + 1);
          case GLOBAL -> changed(ids, regex, pathOnly, insert(global, compiled), size + 1);
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
        baseExact, baseIds, exact, ids, regex, pathOnly, global, size, changes + 1);
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
            HeaderMatch key = gone.indexKey();
            CompiledRoute[] bucket = remove(bucket(key.name(), key.value()), gone);
            PMap<String, CompiledRoute[]> byValue =
                exact.getOrDefault(key.name(), HashTreePMap.empty());
            yield new RouteTable(
                baseExact,
                baseIds,
                exact.plus(
                    key.name(), byValue.plus(key.value(), bucket.length == 0 ? NONE : bucket)),
                ids,
                regex,
                pathOnly,
                global,
                size - 1,
                changes + 1);
          }
          case HEADER_REGEX -> changed(ids, remove(regex, gone), pathOnly, global, size - 1);
          case PATH_ONLY -> changed(ids, regex, remove(pathOnly, gone), global, size - 1);
          case GLOBAL -> changed(ids, regex, pathOnly, remove(global, gone), size - 1);
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

  private static CompiledRoute[] insert(CompiledRoute[] sorted, CompiledRoute added) {
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

  private static CompiledRoute[] remove(CompiledRoute[] sorted, CompiledRoute gone) {
    CompiledRoute[] out = new CompiledRoute[sorted.length - 1];
    int n = 0;
    for (CompiledRoute c : sorted) {
      if (c != gone) {
        out[n++] = c;
      }
    }
    return out;
  }

  /** How many routes the table holds. */
  public int size() {
    return size;
  }

  /** The route of {@code interceptId}, if the table holds it. */
  public Optional<Route> route(String interceptId) {
    return Optional.ofNullable(compiled(interceptId)).map(c -> c.route);
  }

  /** The route that takes {@code request}, or empty when the workload's own app does. */
  public Optional<RouteMatch> routeFor(RequestView request) {
    Baggage baggage = new Baggage(request);
    CompiledRoute best = null;
    for (String name : exactNames) {
      List<String> values = request.headerValues(name);
      if (values.isEmpty()) {
        continue;
      }
      for (int i = 0; i < values.size(); i++) {
        for (CompiledRoute c : bucket(name, values.get(i))) {
          // the bucket is its first condition's value: only the rest remains to check
          if (c.matches(request, baggage, 1)) {
            if (best == null || OLDER_FIRST.compare(c, best) < 0) {
              best = c;
            }
            break;
          }
        }
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
        : Optional.of(new RouteMatch(best.route, best.precedence, best.description()));
  }

  private static CompiledRoute firstMatch(
      CompiledRoute[] routes, RequestView request, Baggage baggage) {
    for (CompiledRoute c : routes) {
      if (c.matches(request, baggage, 0)) {
        return c;
      }
    }
    return null;
  }

  /** A route with its regexes compiled once. */
  private static final class CompiledRoute {
    final Route route;
    final Precedence precedence;
    final HeaderMatch[] headers;
    final Pattern[] patterns;
    final BaggageMatch[] baggage;
    final String pathPrefix;
    final String method;
    private String description;

    CompiledRoute(Route route) {
      this.route = route;
      this.precedence = Precedence.of(route.match());
      List<HeaderMatch> rules = route.match().headers();
      this.headers = rules.toArray(HeaderMatch[]::new);
      if (headers.length > 1) {
        java.util.Arrays.sort(headers, HEADER_ORDER);
      }
      this.patterns = new Pattern[headers.length];
      for (int i = 0; i < headers.length; i++) {
        if (headers[i].kind() == HeaderMatch.Kind.REGEX) {
          patterns[i] = Pattern.compile(headers[i].value());
        }
      }
      this.baggage = route.match().baggage().toArray(BaggageMatch[]::new);
      this.pathPrefix = route.match().pathPrefix();
      this.method = route.match().method();
    }

    /** The matched rules as a person reads them, built on first use. */
    String description() {
      String d = description;
      if (d == null) {
        d = describe();
        description = d;
      }
      return d;
    }

    /** The first exact condition: EXACT sorts before REGEX. */
    HeaderMatch indexKey() {
      return headers[0];
    }

    /**
     * Whether the request meets every condition, its header conditions from {@code firstHeader}.
     */
    boolean matches(RequestView request, Baggage requestBaggage, int firstHeader) {
      if (method != null && !method.equals(request.method())) {
        return false;
      }
      if (pathPrefix != null && !request.path().startsWith(pathPrefix)) {
        return false;
      }
      for (int i = firstHeader; i < headers.length; i++) {
        if (!headerMatches(i, request.headerValues(headers[i].name()))) {
          return false;
        }
      }
      for (BaggageMatch b : baggage) {
        if (!requestBaggage.has(b.key(), b.value())) {
          return false;
        }
      }
      return true;
    }

    private boolean headerMatches(int i, List<String> values) {
      for (int v = 0; v < values.size(); v++) {
        String value = values.get(v);
        if (patterns[i] == null ? headers[i].value().equals(value) : patterns[i].matches(value)) {
          return true;
        }
      }
      return false;
    }

    private String describe() {
      if (precedence == Precedence.GLOBAL) {
        return "global intercept";
      }
      List<String> parts = new ArrayList<>();
      for (HeaderMatch h : headers) {
        parts.add(
            "header "
                + h.name()
                + (h.kind() == HeaderMatch.Kind.EXACT ? " = " : " ~ /")
                + h.value()
                + (h.kind() == HeaderMatch.Kind.EXACT ? "" : "/"));
      }
      for (BaggageMatch b : baggage) {
        parts.add("baggage " + b.key() + " = " + b.value());
      }
      if (pathPrefix != null) {
        parts.add("path prefix " + pathPrefix);
      }
      if (method != null) {
        parts.add("method " + method);
      }
      return String.join(" and ", parts);
    }
  }

  /** The request's W3C baggage members, parsed on first use. */
  private static final class Baggage {
    private final RequestView request;
    private Map<String, String> members;

    Baggage(RequestView request) {
      this.request = request;
    }

    boolean has(String key, String value) {
      if (members == null) {
        members = parse(request.headerValues("baggage"));
      }
      return value.equals(members.get(key));
    }

    /** {@code key=value;property,key2=value2}, values percent-decoded. */
    static Map<String, String> parse(List<String> headers) {
      Map<String, String> out = new HashMap<>();
      for (String header : headers) {
        for (String member : header.split(",")) {
          int semi = member.indexOf(';');
          String kv = semi < 0 ? member : member.substring(0, semi);
          int eq = kv.indexOf('=');
          if (eq <= 0) {
            continue;
          }
          String key = kv.substring(0, eq).trim();
          String value = kv.substring(eq + 1).trim();
          out.putIfAbsent(key, percentDecode(value));
        }
      }
      return out;
    }

    /** Percent-decodes a baggage value (UTF-8); a malformed escape is kept as it is. */
    static String percentDecode(String value) {
      if (value.indexOf('%') < 0) {
        return value;
      }
      byte[] in = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] out = new byte[in.length];
      int n = 0;
      for (int i = 0; i < in.length; i++) {
        if (in[i] == '%' && i + 2 < in.length) {
          int hi = Character.digit(in[i + 1], 16);
          int lo = Character.digit(in[i + 2], 16);
          if (hi >= 0 && lo >= 0) {
            out[n++] = (byte) (hi * 16 + lo);
            i += 2;
            continue;
          }
        }
        out[n++] = in[i];
      }
      return new String(out, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
