package io.sidetrack.edge.proxy;

import static io.sidetrack.edge.proxy.Http1Parse.BAGGAGE;
import static io.sidetrack.edge.proxy.Http1Parse.CONNECTION;
import static io.sidetrack.edge.proxy.Http1Parse.CONTENT_LENGTH;
import static io.sidetrack.edge.proxy.Http1Parse.EXPECT;
import static io.sidetrack.edge.proxy.Http1Parse.FORWARDED;
import static io.sidetrack.edge.proxy.Http1Parse.HOP;
import static io.sidetrack.edge.proxy.Http1Parse.HOST;
import static io.sidetrack.edge.proxy.Http1Parse.NO_TUNNEL;
import static io.sidetrack.edge.proxy.Http1Parse.OTHER;
import static io.sidetrack.edge.proxy.Http1Parse.RELAY;
import static io.sidetrack.edge.proxy.Http1Parse.SIDETRACK_ID;
import static io.sidetrack.edge.proxy.Http1Parse.TRANSFER_ENCODING;
import static io.sidetrack.edge.proxy.Http1Parse.UPGRADE;
import static io.sidetrack.edge.proxy.Http1Parse.X_FORWARDED_FOR;
import static io.sidetrack.edge.proxy.Http1Parse.X_FORWARDED_HOST;
import static io.sidetrack.edge.proxy.Http1Parse.X_FORWARDED_PROTO;

import io.sidetrack.core.RelayHeaders;
import io.sidetrack.core.SidetrackId;
import io.sidetrack.core.http.HopByHop;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a message head's bytes are, without any state: the character classes of RFC 9110 (tokens,
 * whitespace, {@code Host} values), case-insensitive comparison of ASCII names, and the table that
 * gives the fields the front treats specially their kind. Every method reads {@code bytes} between
 * offsets and allocates nothing.
 */
final class HeadBytes {
  private HeadBytes() {}

  /** The fields the front treats specially, by name, and their kinds (built below). */
  private static final byte[][] NAMES;

  private static final byte[] KINDS;

  static {
    Map<String, Byte> kinds = new LinkedHashMap<>();
    kinds.put("content-length", CONTENT_LENGTH);
    kinds.put("transfer-encoding", TRANSFER_ENCODING);
    kinds.put("connection", CONNECTION);
    kinds.put("upgrade", UPGRADE);
    kinds.put("expect", EXPECT);
    kinds.put("host", HOST);
    // every other field of the one hop-by-hop policy stays on its hop
    for (String name : HopByHop.FIELDS) {
      kinds.putIfAbsent(name, HOP);
    }
    kinds.put("x-forwarded-for", X_FORWARDED_FOR);
    kinds.put("x-forwarded-host", X_FORWARDED_HOST);
    kinds.put("x-forwarded-proto", X_FORWARDED_PROTO);
    kinds.put("forwarded", FORWARDED);
    kinds.put(RelayHeaders.INTERCEPT, RELAY);
    kinds.put(RelayHeaders.WORKLOAD, RELAY);
    kinds.put(RelayHeaders.NO_TUNNEL, NO_TUNNEL);
    kinds.put("baggage", BAGGAGE);
    kinds.put(SidetrackId.HEADER, SIDETRACK_ID);
    NAMES = new byte[kinds.size()][];
    KINDS = new byte[kinds.size()];
    int k = 0;
    for (Map.Entry<String, Byte> e : kinds.entrySet()) {
      NAMES[k] = ascii(e.getKey());
      KINDS[k++] = e.getValue();
    }
  }

  /** The end of the list element starting at {@code s}: its comma, or {@code ve}. */
  static int tokenEnd(byte[] bytes, int s, int ve) {
    int comma = indexOf(bytes, (byte) ',', s, ve);
    return comma < 0 ? ve : comma;
  }

  /** The first index from {@code s} that is not optional whitespace (space or tab). */
  static int skipOws(byte[] bytes, int s, int e) {
    while (s < e && (bytes[s] == ' ' || bytes[s] == '\t')) {
      s++;
    }
    return s;
  }

  /** {@code e} moved back over optional whitespace, not before {@code s}. */
  static int trimOws(byte[] bytes, int s, int e) {
    while (e > s && (bytes[e - 1] == ' ' || bytes[e - 1] == '\t')) {
      e--;
    }
    return e;
  }

  static byte classify(byte[] bytes, int from, int len) {
    for (int k = 0; k < NAMES.length; k++) {
      byte[] name = NAMES[k];
      if (name.length == len && equalsIgnoreCase(bytes, from, from + len, name)) {
        return KINDS[k];
      }
    }
    return OTHER;
  }

  /**
   * Whether {@code [s, e)} is a {@code Host} value: {@code uri-host [ ":" port ]} (RFC 9110 section
   * 7.2), a reg-name, IPv4 or bracketed IP literal; never empty for http (section 4.2.1).
   */
  static boolean validHost(byte[] bytes, int s, int e) {
    if (s == e) {
      return false;
    }
    for (int i = s; i < e; i++) {
      int b = bytes[i] & 0xff;
      if (b >= 0x80 || !HOST_CHAR[b]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Where the origin form of the target starts: the target's start, or for an absolute-form target
   * ({@code http://authority/path?query}) the path after its authority (RFC 9112 section 3.2.2).
   */
  static int originFormStart(byte[] bytes, int s, int e) {
    if (bytes[s] == '/' || bytes[s] == '*') {
      return s;
    }
    int colon = indexOf(bytes, (byte) ':', s, e);
    if (colon <= s || colon + 2 >= e || bytes[colon + 1] != '/' || bytes[colon + 2] != '/') {
      return s; // authority form (CONNECT) or something the next hop judges
    }
    for (int i = colon + 3; i < e; i++) {
      if (bytes[i] == '/' || bytes[i] == '?') {
        return i;
      }
    }
    return e;
  }

  static int skipSpaces(byte[] bytes, int s, int e) {
    while (s < e && bytes[s] == ' ') {
      s++;
    }
    return s;
  }

  static int indexOf(byte[] bytes, byte b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  static boolean equalsIgnoreCase(byte[] bytes, int from, int to, byte[] lower) {
    if (to - from != lower.length) {
      return false;
    }
    for (int k = 0; k < lower.length; k++) {
      int b = bytes[from + k];
      if (b >= 'A' && b <= 'Z') {
        b += 32;
      }
      if (b != lower[k]) {
        return false;
      }
    }
    return true;
  }

  static boolean sameName(byte[] bytes, int as, int ae, int bs, int be) {
    if (ae - as != be - bs) {
      return false;
    }
    for (int k = 0; k < ae - as; k++) {
      int a = bytes[as + k];
      int b = bytes[bs + k];
      if (a >= 'A' && a <= 'Z') {
        a += 32;
      }
      if (b >= 'A' && b <= 'Z') {
        b += 32;
      }
      if (a != b) {
        return false;
      }
    }
    return true;
  }

  /** RFC 9110 token characters. */
  static boolean tchar(byte b) {
    return b > 0 && TCHAR[b];
  }

  private static final boolean[] TCHAR = new boolean[128];

  /** What a {@code Host} value may hold: unreserved, sub-delims, ':', '[', ']' and '%'. */
  private static final boolean[] HOST_CHAR = new boolean[128];

  static {
    for (int c = 0; c < 128; c++) {
      HOST_CHAR[c] =
          c >= 'a' && c <= 'z'
              || c >= 'A' && c <= 'Z'
              || c >= '0' && c <= '9'
              || "-._~!$&'()*+,;=:[]%".indexOf(c) >= 0;
    }
  }

  static {
    for (int c = '!'; c < 0x7f; c++) {
      TCHAR[c] = "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
