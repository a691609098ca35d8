package io.sidetrack.tunnel;

import io.sidetrack.core.http.HopByHop;
import io.vertx.core.MultiMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How both ends of a tunnel copy a message's headers onto the next hop: the end-to-end ones only,
 * by the one hop-by-hop policy ({@link HopByHop}), except that an upgrade keeps its own {@code
 * Connection} and {@code Upgrade} (they are the handshake the next hop answers).
 */
public final class EndToEndHeaders {
  private EndToEndHeaders() {}

  /**
   * Copies {@code from} into {@code to} without hop-by-hop fields, those the {@code Connection}
   * header names, and {@code drop} (lower case); an upgrade keeps {@code Connection} and {@code
   * Upgrade}.
   */
  public static void copy(MultiMap from, MultiMap to, boolean upgrade, Set<String> drop) {
    Set<String> named = upgrade ? Set.of() : HopByHop.namedBy(from.getAll("connection"));
    for (Map.Entry<String, String> e : from) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      boolean keepForUpgrade = upgrade && (name.equals("connection") || name.equals("upgrade"));
      if (!keepForUpgrade && (HopByHop.staysOnHop(name, named) || drop.contains(name))) {
        continue;
      }
      to.add(e.getKey(), e.getValue());
    }
  }
}
