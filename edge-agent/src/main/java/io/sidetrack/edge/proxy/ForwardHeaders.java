package io.sidetrack.edge.proxy;

import io.sidetrack.core.http.HopByHop;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

/**
 * Header rules of a forwarding proxy: the hop-by-hop fields of {@link HopByHop} and the fields
 * {@code Connection} names stay on their hop (RFC 9110 section 7.6.1); {@code X-Forwarded-*} and
 * {@code Forwarded} (RFC 7239) tell the next hop who asked.
 */
final class ForwardHeaders {
  private static final CharSequence[] HOP_BY_HOP_NAMES =
      HopByHop.FIELDS.stream().map(HttpHeaders::createOptimized).toArray(CharSequence[]::new);

  private static final CharSequence TE = HttpHeaders.createOptimized("te");
  private static final CharSequence TRAILERS = HttpHeaders.createOptimized("trailers");

  private ForwardHeaders() {}

  /**
   * Copies the end-to-end fields of {@code from} to {@code to}; with {@code keepUpgrade}, the
   * {@code Upgrade} and {@code Connection: upgrade} fields too (a WebSocket handshake).
   */
  static void copyEndToEnd(MultiMap from, MultiMap to, boolean keepUpgrade) {
    copyEndToEnd(from, to, keepUpgrade, false);
  }

  /**
   * As {@link #copyEndToEnd(MultiMap, MultiMap, boolean)}; with {@code http2Upstream}, a {@code TE:
   * trailers} goes on: this proxy relays trailers, so it may ask for them on its own behalf (RFC
   * 9110 section 10.1.4), and gRPC over HTTP/2 needs it (RFC 9113 section 8.2.2 allows no other
   * TE).
   */
  static void copyEndToEnd(MultiMap from, MultiMap to, boolean keepUpgrade, boolean http2Upstream) {
    String connection = from.get(HttpHeaders.CONNECTION);
    boolean teTrailers = http2Upstream && HopByHop.isTeTrailers(from.get(TE));
    to.setAll(from);
    for (CharSequence name : HOP_BY_HOP_NAMES) {
      to.remove(name);
    }
    to.remove(HttpHeaders.HOST);
    if (connection != null) {
      for (String named : HopByHop.namedBy(from.getAll(HttpHeaders.CONNECTION))) {
        to.remove(named);
      }
    }
    if (teTrailers) {
      to.set(TE, TRAILERS);
    }
    if (keepUpgrade) {
      String upgrade = from.get(HttpHeaders.UPGRADE);
      if (upgrade != null) {
        to.set(HttpHeaders.UPGRADE, upgrade);
      }
      to.set(HttpHeaders.CONNECTION, "upgrade");
    }
  }

  /** Drops the forwarding fields a client sent, whose word a proxy does not take. */
  static void removeForwarded(MultiMap to) {
    to.remove("x-forwarded-for");
    to.remove("x-forwarded-host");
    to.remove("x-forwarded-proto");
    to.remove("forwarded");
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

  /**
   * One {@code Forwarded} element (RFC 7239): {@code for=...;host=...;proto=...}. An IPv6 client
   * goes in brackets (section 6); a value that is not a token is a quoted string (section 4), so a
   * {@code Host} holding {@code ,} {@code ;} or {@code =} cannot add elements or parameters.
   */
  static String forwardedElement(String clientAddress, String host, String proto) {
    return "for="
        + value(node(clientAddress))
        + (host == null ? "" : ";host=" + value(host))
        + ";proto="
        + value(proto);
  }

  /** A node as RFC 7239 section 6 writes it: an IPv6 address in brackets. */
  private static String node(String address) {
    return address.indexOf(':') >= 0 && !address.startsWith("[") ? "[" + address + "]" : address;
  }

  /** {@code value} as a token if it is one, else as a quoted string (RFC 9110 section 5.6.4). */
  static String value(String value) {
    if (!value.isEmpty() && isToken(value)) {
      return value;
    }
    StringBuilder quoted = new StringBuilder(value.length() + 4).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        quoted.append('\\');
      }
      quoted.append(c);
    }
    return quoted.append('"').toString();
  }

  private static boolean isToken(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (!isTchar(value.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** RFC 9110 section 5.6.2: tchar. */
  private static boolean isTchar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }
}
