package io.sidetrack.core.http;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The one hop-by-hop policy of Sidetrack's proxies (RFC 9110 section 7.6.1): the fields that belong
 * to one connection and never go on to the next hop, and the fields a {@code Connection} header
 * names for its own message. The edge agent's byte-level front, its Vert.x path and the router all
 * ask here, so they drop the same fields.
 *
 * <p>{@code Trailer} is not among them: RFC 9110 section 6.6.2 makes it end-to-end, and the proxies
 * relay trailers. {@code Expect} is not either: each hop answers or forwards it itself. {@code TE}
 * is, but a proxy that relays trailers may send {@code TE: trailers} on its own behalf (RFC 9110
 * section 10.1.4), which HTTP/2 and gRPC need ({@link #isTeTrailers}).
 */
public final class HopByHop {
  /**
   * The fields that are always hop-by-hop, in lower case: RFC 9110 section 7.6.1, the proxy
   * authentication fields a proxy consumes (RFC 9110 section 11.7), and {@code HTTP2-Settings} (RFC
   * 9113 section 3.2.1).
   */
  public static final List<String> FIELDS =
      List.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "transfer-encoding",
          "upgrade",
          "http2-settings");

  private static final Set<String> FIELD_SET = Set.copyOf(FIELDS);

  private HopByHop() {}

  /** Whether {@code name} (any case) is always hop-by-hop. */
  public static boolean isHopByHop(CharSequence name) {
    return FIELD_SET.contains(lowerCase(name));
  }

  /**
   * The field names, in lower case, that the given {@code Connection} values name: hop-by-hop for
   * the message they came with. Empty tokens are skipped.
   */
  public static Set<String> namedBy(Iterable<String> connectionValues) {
    Set<String> named = new HashSet<>();
    for (String value : connectionValues) {
      for (String token : value.split(",")) {
        String t = token.trim();
        if (!t.isEmpty()) {
          named.add(t.toLowerCase(Locale.ROOT));
        }
      }
    }
    return named;
  }

  /**
   * Whether a field stays on its hop: always hop-by-hop, or named by the message's {@code
   * Connection} ({@code connectionNamed} as {@link #namedBy} gives it).
   */
  public static boolean staysOnHop(CharSequence name, Set<String> connectionNamed) {
    String lower = lowerCase(name);
    return FIELD_SET.contains(lower) || connectionNamed.contains(lower);
  }

  /** Whether a {@code TE} value is exactly {@code trailers} (any case, spaces around allowed). */
  public static boolean isTeTrailers(String value) {
    return value != null && value.trim().equalsIgnoreCase("trailers");
  }

  private static String lowerCase(CharSequence name) {
    return name.toString().toLowerCase(Locale.ROOT);
  }
}
