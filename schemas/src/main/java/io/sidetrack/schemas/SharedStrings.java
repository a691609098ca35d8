package io.sidetrack.schemas;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One instance for each of the few strings that many records repeat (a workload's name, header
 * names, baggage keys, router addresses, key ids, owners), so that a reader holding 100,000 routes
 * keeps each once instead of once per route. Bounded: past {@code capacity} distinct strings, a new
 * one is returned as it is (still correct, just not shared). Thread-safe.
 */
public final class SharedStrings {
  /** Shares nothing: every string is returned as it is. */
  public static final SharedStrings NONE = new SharedStrings(0);

  private final ConcurrentHashMap<String, String> pool = new ConcurrentHashMap<>();
  private final int capacity;

  public SharedStrings(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
    }
    this.capacity = capacity;
  }

  /** The shared instance equal to {@code s} ({@code s} itself when it is new and the pool full). */
  public String share(String s) {
    if (s == null) {
      return null;
    }
    String shared = pool.get(s);
    if (shared != null) {
      return shared;
    }
    if (pool.size() >= capacity) {
      return s;
    }
    shared = pool.putIfAbsent(s, s);
    return shared == null ? s : shared;
  }

  /** How many distinct strings are shared. */
  public int size() {
    return pool.size();
  }
}
