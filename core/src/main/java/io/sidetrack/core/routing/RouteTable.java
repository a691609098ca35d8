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
 * <p>Tables are persistent: {@link #with} and {@link #without} return a new table that shares all
 * but the changed paths with this one, so a change costs O(log n) for exact-header routes (the
 * bulk) and O(k) for the k routes of the other, small classes; readers keep the table they hold.
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
  private static final RouteTable EMPTY =
      new RouteTable(HashTreePMap.empty(), NONE, NONE, NONE, HashTreePMap.empty());

  /** Exact routes by the lower-case name and the value of their first exact header condition. */
  private final PMap<String, PMap<String, CompiledRoute[]>> exact;

  private final String[] exactNames;
  private final CompiledRoute[] regex;
  private final CompiledRoute[] pathOnly;
  private final CompiledRoute[] global;
  private final PMap<String, CompiledRoute> byId;

  private RouteTable(
      PMap<String, PMap<String, CompiledRoute[]>> exact,
      CompiledRoute[] regex,
      CompiledRoute[] pathOnly,
      CompiledRoute[] global,
      PMap<String, CompiledRoute> byId) {
    this.exact = exact;
    this.exactNames = exact.keySet().toArray(String[]::new);
    this.regex = regex;
    this.pathOnly = pathOnly;
    this.global = global;
    this.byId = byId;
  }

  /** A table with no routes. */
  public static RouteTable empty() {
    return EMPTY;
  }

  /**
   * Compiles {@code routes} (one per intercept id; a later one replaces an earlier); rules are
   * assumed valid (registry-stream checked them). Builds the maps in one pass rather than by
   * repeated {@link #with}, for a new agent's first table.
   */
  public static RouteTable compile(Collection<Route> routes) {
    requireNonNull(routes, "routes");
    Map<String, CompiledRoute> ids = new HashMap<>();
    for (Route route : routes) {
      ids.put(route.interceptId(), new CompiledRoute(route));
    }
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
    Map<String, PMap<String, CompiledRoute[]>> byName = new HashMap<>();
    exact.forEach(
        (name, byValue) -> {
          Map<String, CompiledRoute[]> buckets = new HashMap<>();
          byValue.forEach((value, list) -> buckets.put(value, sorted(list)));
          byName.put(name, HashTreePMap.from(buckets));
        });
    return new RouteTable(
        HashTreePMap.from(byName),
        sorted(regex),
        sorted(pathOnly),
        sorted(global),
        HashTreePMap.from(ids));
  }

  private static CompiledRoute[] sorted(List<CompiledRoute> routes) {
    CompiledRoute[] out = routes.toArray(CompiledRoute[]::new);
    java.util.Arrays.sort(out, OLDER_FIRST);
    return out;
  }

  /** This table with {@code route} added, or replacing the route of the same intercept. */
  public RouteTable with(Route route) {
    requireNonNull(route, "route");
    RouteTable base = byId.containsKey(route.interceptId()) ? without(route.interceptId()) : this;
    CompiledRoute compiled = new CompiledRoute(route);
    PMap<String, CompiledRoute> ids = base.byId.plus(route.interceptId(), compiled);
    return switch (compiled.precedence) {
      case EXACT_HEADER -> {
        HeaderMatch key = compiled.indexKey();
        PMap<String, CompiledRoute[]> byValue =
            base.exact.getOrDefault(key.name(), HashTreePMap.empty());
        CompiledRoute[] bucket = insert(byValue.getOrDefault(key.value(), NONE), compiled);
        yield new RouteTable(
            base.exact.plus(key.name(), byValue.plus(key.value(), bucket)),
            base.regex,
            base.pathOnly,
            base.global,
            ids);
      }
      case HEADER_REGEX ->
          new RouteTable(base.exact, insert(base.regex, compiled), base.pathOnly, base.global, ids);
      case PATH_ONLY ->
          new RouteTable(base.exact, base.regex, insert(base.pathOnly, compiled), base.global, ids);
      case GLOBAL ->
          new RouteTable(base.exact, base.regex, base.pathOnly, insert(base.global, compiled), ids);
    };
  }

  /** This table without the route of {@code interceptId} (itself when there is none). */
  public RouteTable without(String interceptId) {
    CompiledRoute gone = byId.get(interceptId);
    if (gone == null) {
      return this;
    }
    PMap<String, CompiledRoute> ids = byId.minus(interceptId);
    return switch (gone.precedence) {
      case EXACT_HEADER -> {
        HeaderMatch key = gone.indexKey();
        PMap<String, CompiledRoute[]> byValue = exact.get(key.name());
        CompiledRoute[] bucket = remove(byValue.get(key.value()), gone);
        PMap<String, CompiledRoute[]> values =
            bucket.length == 0 ? byValue.minus(key.value()) : byValue.plus(key.value(), bucket);
        yield new RouteTable(
            values.isEmpty() ? exact.minus(key.name()) : exact.plus(key.name(), values),
            regex,
            pathOnly,
            global,
            ids);
      }
      case HEADER_REGEX -> new RouteTable(exact, remove(regex, gone), pathOnly, global, ids);
      case PATH_ONLY -> new RouteTable(exact, regex, remove(pathOnly, gone), global, ids);
      case GLOBAL -> new RouteTable(exact, regex, pathOnly, remove(global, gone), ids);
    };
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
    return byId.size();
  }

  /** The route of {@code interceptId}, if the table holds it. */
  public Optional<Route> route(String interceptId) {
    return Optional.ofNullable(byId.get(interceptId)).map(c -> c.route);
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
      PMap<String, CompiledRoute[]> byValue = exact.get(name);
      for (int i = 0; i < values.size(); i++) {
        CompiledRoute[] candidates = byValue.get(values.get(i));
        if (candidates == null) {
          continue;
        }
        for (CompiledRoute c : candidates) {
          if (c.matches(request, baggage)) {
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
      if (c.matches(request, baggage)) {
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

    boolean matches(RequestView request, Baggage requestBaggage) {
      if (method != null && !method.equals(request.method())) {
        return false;
      }
      if (pathPrefix != null && !request.path().startsWith(pathPrefix)) {
        return false;
      }
      for (int i = 0; i < headers.length; i++) {
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
