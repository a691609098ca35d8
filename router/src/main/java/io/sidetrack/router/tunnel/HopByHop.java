package io.sidetrack.router.tunnel;

import io.vertx.core.MultiMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Copies end-to-end headers only (RFC 9110 §7.6.1), keeping an upgrade's own when asked to. */
public final class HopByHop {
  private static final Set<String> HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "expect",
          "http2-settings");

  private HopByHop() {}

  /**
   * Copies {@code from} into {@code to} without hop-by-hop headers, those the {@code Connection}
   * header names, and {@code drop}; an upgrade keeps {@code Connection} and {@code Upgrade}.
   */
  public static void copy(MultiMap from, MultiMap to, boolean upgrade, Set<String> drop) {
    Set<String> named = Set.of();
    if (from.contains("connection")) {
      named = new HashSet<>();
      for (String c : from.getAll("connection")) {
        for (String token : c.split(",")) {
          named.add(token.trim().toLowerCase(Locale.ROOT));
        }
      }
    }
    for (Map.Entry<String, String> e : from) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      boolean keepForUpgrade = upgrade && (name.equals("connection") || name.equals("upgrade"));
      if (!keepForUpgrade
          && (HOP.contains(name) || drop.contains(name) || (!upgrade && named.contains(name)))) {
        continue;
      }
      to.add(e.getKey(), e.getValue());
    }
  }
}
