package io.sidetrack.core.routing;

import java.util.Arrays;
import java.util.Map;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

/**
 * Exact-value routes by name, then value, oldest first in each bucket: a base of plain hash maps
 * (built in one pass) and the buckets changed since, whole, in small persistent maps over it.
 * Immutable: a change returns a new index sharing the rest with this one.
 */
final class ValueIndex {
  static final ValueIndex EMPTY = new ValueIndex(Map.of(), HashTreePMap.empty(), new String[0]);

  private final Map<String, Map<String, CompiledRoute[]>> base;

  /** Buckets changed since the base, whole; {@link CompiledRoute#NONE} for one emptied. */
  private final PMap<String, PMap<String, CompiledRoute[]>> changed;

  private final String[] names;

  private ValueIndex(
      Map<String, Map<String, CompiledRoute[]>> base,
      PMap<String, PMap<String, CompiledRoute[]>> changed,
      String[] names) {
    this.base = base;
    this.changed = changed;
    this.names = names;
  }

  /**
   * A base index of {@code routes} by name, then value, taking the maps as they are; the buckets
   * holding more than one route (filled by {@link CompiledRoute#appended}) are trimmed and sorted
   * here.
   */
  static ValueIndex of(Map<String, Map<String, CompiledRoute[]>> routes) {
    if (routes.isEmpty()) {
      return EMPTY;
    }
    for (Map<String, CompiledRoute[]> byValue : routes.values()) {
      for (Map.Entry<String, CompiledRoute[]> e : byValue.entrySet()) {
        CompiledRoute[] bucket = e.getValue();
        if (bucket.length > 1) {
          int n = CompiledRoute.filled(bucket);
          if (n < bucket.length) {
            bucket = Arrays.copyOf(bucket, n);
            e.setValue(bucket);
          }
          Arrays.sort(bucket, CompiledRoute.OLDER_FIRST);
        }
      }
    }
    return new ValueIndex(routes, HashTreePMap.empty(), routes.keySet().toArray(String[]::new));
  }

  /** Every name some route was indexed under (a name stays once its routes are gone). */
  String[] names() {
    return names;
  }

  /** The routes indexed under {@code name} and {@code value}, oldest first. */
  CompiledRoute[] bucket(String name, String value) {
    PMap<String, CompiledRoute[]> changedByValue = changed.get(name);
    if (changedByValue != null) {
      CompiledRoute[] b = changedByValue.get(value);
      if (b != null) {
        return b;
      }
    }
    Map<String, CompiledRoute[]> baseByValue = base.get(name);
    CompiledRoute[] b = baseByValue == null ? null : baseByValue.get(value);
    return b == null ? CompiledRoute.NONE : b;
  }

  /** This index with {@code route} added under {@code name} and {@code value}. */
  ValueIndex plus(String name, String value, CompiledRoute route) {
    return with(name, value, CompiledRoute.inserted(bucket(name, value), route));
  }

  /** This index without {@code route} under {@code name} and {@code value}, where it is. */
  ValueIndex minus(String name, String value, CompiledRoute route) {
    return with(name, value, CompiledRoute.removed(bucket(name, value), route));
  }

  private ValueIndex with(String name, String value, CompiledRoute[] bucket) {
    PMap<String, CompiledRoute[]> byValue = changed.getOrDefault(name, HashTreePMap.empty());
    String[] nextNames = names;
    if (!Arrays.asList(names).contains(name)) {
      nextNames = Arrays.copyOf(names, names.length + 1);
      nextNames[names.length] = name;
    }
    return new ValueIndex(base, changed.plus(name, byValue.plus(value, bucket)), nextNames);
  }
}
