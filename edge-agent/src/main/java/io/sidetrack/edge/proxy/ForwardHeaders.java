package io.sidetrack.edge.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Locale;
import java.util.Set;

/**
 * Header rules of a forwarding proxy (RFC 9110 section 7.6.1): hop-by-hop fields and the fields
 * {@code Connection} names stay on their hop; {@code X-Forwarded-*} and {@code Forwarded} tell the
 * next hop who asked.
 */
final class ForwardHeaders {
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade");

  private static final CharSequence[] HOP_BY_HOP_NAMES =
      HOP_BY_HOP.stream().map(HttpHeaders::createOptimized).toArray(CharSequence[]::new);

  private ForwardHeaders() {}

  /**
   * Copies the end-to-end fields of {@code from} to {@code to}; with {@code keepUpgrade}, the
   * {@code Upgrade} and {@code Connection: upgrade} fields too (a WebSocket handshake).
   */
  static void copyEndToEnd(MultiMap from, MultiMap to, boolean keepUpgrade) {
    String connection = from.get(HttpHeaders.CONNECTION);
    to.setAll(from);
    for (CharSequence name : HOP_BY_HOP_NAMES) {
      to.remove(name);
    }
    to.remove(HttpHeaders.HOST);
    if (connection != null) {
      for (String named : tokens(connection)) {
        to.remove(named);
      }
    }
    if (keepUpgrade) {
      String upgrade = from.get(HttpHeaders.UPGRADE);
      if (upgrade != null) {
        to.set(HttpHeaders.UPGRADE, upgrade);
      }
      to.set(HttpHeaders.CONNECTION, "upgrade");
    }
  }

  private static Set<String> tokens(String connection) {
    java.util.HashSet<String> out = new java.util.HashSet<>();
    for (String t : connection.split(",")) {
      out.add(t.trim().toLowerCase(Locale.ROOT));
    }
    return out;
  }

  /** Adds who asked: {@code X-Forwarded-For/Host/Proto} and {@code Forwarded}. */
  static void addForwarded(MultiMap to, String clientAddress, String host, String proto) {
    String priorFor = to.get("x-forwarded-for");
    to.set("x-forwarded-for", priorFor == null ? clientAddress : priorFor + ", " + clientAddress);
    if (host != null && !to.contains("x-forwarded-host")) {
      to.set("x-forwarded-host", host);
    }
    if (!to.contains("x-forwarded-proto")) {
      to.set("x-forwarded-proto", proto);
    }
    String element = forwardedElement(clientAddress, host, proto);
    String prior = to.get("forwarded");
    to.set("forwarded", prior == null ? element : prior + ", " + element);
  }

  /** One {@code Forwarded} element (RFC 7239): {@code for=...;host=...;proto=...}. */
  static String forwardedElement(String clientAddress, String host, String proto) {
    return "for="
        + quoteIfNeeded(clientAddress)
        + (host == null ? "" : ";host=" + quoteIfNeeded(host))
        + ";proto="
        + proto;
  }

  private static String quoteIfNeeded(String value) {
    return value.contains(":") || value.contains("[") ? "\"" + value + "\"" : value;
  }
}
