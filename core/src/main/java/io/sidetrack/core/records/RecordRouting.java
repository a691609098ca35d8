package io.sidetrack.core.records;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.routing.RequestView;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteMatch;
import io.sidetrack.core.routing.RouteTable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

/**
 * Which intercept takes a Kafka record of one workload: per topic, a {@link RouteTable} of the
 * workload's routes that name the topic, so a record is decided by the very matcher (and
 * precedence) that decides an HTTP request, its headers standing for the request's. Records have no
 * path or method (registry-stream refuses such rules on routes with topics). Immutable: {@link
 * #with} and {@link #without} return a new instance sharing the rest; readers keep the one they
 * got.
 */
public final class RecordRouting {
  private static final RecordRouting EMPTY =
      new RecordRouting(Map.of(), HashTreePMap.empty(), Map.of(), Map.of());

  private static final String[] NO_NAMES = new String[0];

  private static final byte[][] NO_KEYS = new byte[0][];

  /** Tables by topic; a topic no route names has none. */
  private final Map<String, RouteTable> byTopic;

  /** The routes with topics, by intercept id. */
  private final PMap<String, Route> byId;

  /**
   * Per topic, how many of its routes read each (lower-case) header name: a record carrying none of
   * them cannot be taken, which saves the table's lookup for most records.
   */
  private final Map<String, Map<String, Integer>> namesByTopic;

  /** {@link #namesByTopic}'s keys per topic, as an array for the per-record check. */
  private final Map<String, String[]> names;

  /** Per topic, how many of its routes read each baggage key. */
  private final Map<String, Map<String, Integer>> baggageKeysByTopic;

  /** {@link #baggageKeysByTopic}'s keys per topic, as UTF-8 bytes for the per-record check. */
  private final Map<String, byte[][]> baggageKeys;

  private RecordRouting(
      Map<String, RouteTable> byTopic,
      PMap<String, Route> byId,
      Map<String, Map<String, Integer>> namesByTopic,
      Map<String, Map<String, Integer>> baggageKeysByTopic) {
    this.byTopic = byTopic;
    this.byId = byId;
    this.namesByTopic = namesByTopic;
    this.baggageKeysByTopic = baggageKeysByTopic;
    Map<String, String[]> arrays = new HashMap<>();
    namesByTopic.forEach((t, counts) -> arrays.put(t, counts.keySet().toArray(NO_NAMES)));
    this.names = Map.copyOf(arrays);
    Map<String, byte[][]> keys = new HashMap<>();
    baggageKeysByTopic.forEach(
        (t, counts) ->
            keys.put(
                t,
                counts.keySet().stream()
                    .map(k -> k.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .toArray(byte[][]::new)));
    this.baggageKeys = Map.copyOf(keys);
  }

  /**
   * The baggage keys a route's rules and alternatives read; and the empty key, which every baggage
   * holds, when a header rule reads a header named {@code baggage} itself (its whole value counts).
   */
  private static java.util.Set<String> baggageKeysOf(Route route) {
    java.util.Set<String> out = new java.util.HashSet<>();
    route.match().baggage().forEach(b -> out.add(b.key()));
    route.match().headers().forEach(h -> addIfBaggageHeader(out, h));
    for (io.sidetrack.core.AnyOf g : route.match().anyOf()) {
      g.baggage().forEach(b -> out.add(b.key()));
      g.headers().forEach(h -> addIfBaggageHeader(out, h));
    }
    return out;
  }

  private static void addIfBaggageHeader(
      java.util.Set<String> keys, io.sidetrack.core.HeaderMatch h) {
    if (h.name().equalsIgnoreCase("baggage")) {
      keys.add("");
    }
  }

  /**
   * The header names a route reads, lower-case: its header conditions and alternatives, and {@code
   * baggage} when it has baggage ones. A route with topics has at least one (registry-stream
   * refuses path, method and global rules on it).
   */
  private static java.util.Set<String> namesOf(Route route) {
    java.util.Set<String> out = new java.util.HashSet<>();
    route.match().headers().forEach(h -> out.add(h.name().toLowerCase(java.util.Locale.ROOT)));
    if (!route.match().baggage().isEmpty()) {
      out.add("baggage");
    }
    for (io.sidetrack.core.AnyOf g : route.match().anyOf()) {
      g.headers().forEach(h -> out.add(h.name().toLowerCase(java.util.Locale.ROOT)));
      if (!g.baggage().isEmpty()) {
        out.add("baggage");
      }
    }
    return out;
  }

  private static Map<String, Map<String, Integer>> counted(
      Map<String, Map<String, Integer>> base,
      Route route,
      int delta,
      java.util.function.Function<Route, java.util.Set<String>> read) {
    Map<String, Map<String, Integer>> out = new HashMap<>(base);
    java.util.Set<String> names = read.apply(route);
    for (String topic : route.topics()) {
      Map<String, Integer> counts = new HashMap<>(out.getOrDefault(topic, Map.of()));
      for (String name : names) {
        int n = counts.getOrDefault(name, 0) + delta;
        if (n <= 0) {
          counts.remove(name);
        } else {
          counts.put(name, n);
        }
      }
      if (counts.isEmpty()) {
        out.remove(topic);
      } else {
        out.put(topic, Map.copyOf(counts));
      }
    }
    return Map.copyOf(out);
  }

  /** No route takes any record. */
  public static RecordRouting empty() {
    return EMPTY;
  }

  /** The routing of {@code routes} (one per intercept id); routes without topics are left out. */
  public static RecordRouting compile(Collection<Route> routes) {
    requireNonNull(routes, "routes");
    Map<String, List<Route>> perTopic = new HashMap<>();
    Map<String, Route> ids = new HashMap<>();
    for (Route route : routes) {
      if (route.topics().isEmpty()) {
        continue;
      }
      Route previous = ids.put(route.interceptId(), route);
      if (previous != null) {
        previous.topics().forEach(t -> perTopic.get(t).remove(previous));
      }
      for (String topic : route.topics()) {
        perTopic.computeIfAbsent(topic, t -> new ArrayList<>()).add(route);
      }
    }
    Map<String, RouteTable> tables = new HashMap<>();
    Map<String, Map<String, Integer>> counts = new HashMap<>();
    Map<String, Map<String, Integer>> keyCounts = new HashMap<>();
    perTopic.forEach(
        (topic, list) -> {
          if (!list.isEmpty()) {
            tables.put(topic, RouteTable.compile(list));
            Map<String, Integer> c = new HashMap<>();
            list.forEach(r -> namesOf(r).forEach(n -> c.merge(n, 1, Integer::sum)));
            counts.put(topic, Map.copyOf(c));
            Map<String, Integer> k = new HashMap<>();
            list.forEach(r -> baggageKeysOf(r).forEach(n -> k.merge(n, 1, Integer::sum)));
            if (!k.isEmpty()) {
              keyCounts.put(topic, Map.copyOf(k));
            }
          }
        });
    return new RecordRouting(
        Map.copyOf(tables), HashTreePMap.from(ids), Map.copyOf(counts), Map.copyOf(keyCounts));
  }

  /** This routing with {@code route} added, or replacing the route of the same intercept. */
  public RecordRouting with(Route route) {
    requireNonNull(route, "route");
    RecordRouting base = without(route.interceptId());
    if (route.topics().isEmpty()) {
      return base;
    }
    Map<String, RouteTable> tables = new HashMap<>(base.byTopic);
    for (String topic : route.topics()) {
      tables.put(topic, tables.getOrDefault(topic, RouteTable.empty()).with(route));
    }
    return new RecordRouting(
        Map.copyOf(tables),
        base.byId.plus(route.interceptId(), route),
        counted(base.namesByTopic, route, 1, RecordRouting::namesOf),
        counted(base.baggageKeysByTopic, route, 1, RecordRouting::baggageKeysOf));
  }

  /** This routing without the route of {@code interceptId} (itself when it has none). */
  public RecordRouting without(String interceptId) {
    Route gone = byId.get(interceptId);
    if (gone == null) {
      return this;
    }
    Map<String, RouteTable> tables = new HashMap<>(byTopic);
    for (String topic : gone.topics()) {
      RouteTable t = tables.get(topic).without(interceptId);
      if (t.size() == 0) {
        tables.remove(topic);
      } else {
        tables.put(topic, t);
      }
    }
    return new RecordRouting(
        Map.copyOf(tables),
        byId.minus(interceptId),
        counted(namesByTopic, gone, -1, RecordRouting::namesOf),
        counted(baggageKeysByTopic, gone, -1, RecordRouting::baggageKeysOf));
  }

  /** Whether some route takes records of {@code topic}: when not, no record of it is looked at. */
  public boolean covers(String topic) {
    return byTopic.containsKey(topic);
  }

  /**
   * The lower-case header names the routes of {@code topic} read (empty when none takes it): a
   * record that carries none of them, compared ignoring case, is taken by no route, and {@link
   * #routeFor} need not be asked. Callers must not change the array.
   */
  public String[] headerNames(String topic) {
    String[] n = names.get(topic);
    return n == null ? NO_NAMES : n;
  }

  /**
   * The baggage keys the routes of {@code topic} read, as UTF-8 bytes (empty when none): a record
   * whose {@code baggage} header holds none of them as bytes (keys are tokens, never
   * percent-encoded) is taken by no baggage rule, and its baggage need not be parsed. Callers must
   * not change the arrays.
   */
  public byte[][] baggageKeys(String topic) {
    byte[][] k = baggageKeys.get(topic);
    return k == null ? NO_KEYS : k;
  }

  /** The topics some route takes records of. */
  public java.util.Set<String> topics() {
    return byTopic.keySet();
  }

  /** How many routes take records. */
  public int size() {
    return byId.size();
  }

  /**
   * The route that takes a record of {@code topic} with {@code headers} (a record's headers seen as
   * a request's: {@link RequestView#path()} and {@link RequestView#method()} are not read by a
   * route with topics), or empty when the workload's own consumers keep it.
   */
  public Optional<RouteMatch> routeFor(String topic, RequestView headers) {
    RouteTable table = byTopic.get(topic);
    return table == null ? Optional.empty() : table.routeFor(headers);
  }
}
