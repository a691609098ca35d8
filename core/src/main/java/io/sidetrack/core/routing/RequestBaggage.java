package io.sidetrack.core.routing;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The W3C baggage members of one request, parsed on first use. */
final class RequestBaggage {
  private final RequestView request;
  private Map<String, String> members;

  RequestBaggage(RequestView request) {
    this.request = request;
  }

  /** The percent-decoded value of the first member named {@code key}, or null. */
  String get(String key) {
    if (members == null) {
      List<String> headers = request.headerValues("baggage");
      members = headers.isEmpty() ? Map.of() : parse(headers);
    }
    return members.get(key);
  }

  /** Whether the request carries the member {@code key=value}. */
  boolean has(String key, String value) {
    return value.equals(get(key));
  }

  /** {@code key=value;property,key2=value2}, values percent-decoded; the first of a key counts. */
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
    byte[] in = value.getBytes(StandardCharsets.UTF_8);
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
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }
}
