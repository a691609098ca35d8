package io.sidetrack.edge.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.sidetrack.core.routing.RequestView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP/1.x message head (start line and header fields), copied out of the connection's buffer
 * and held as offsets: routing decodes only the values it asks for, and the head goes on to the
 * next hop as bytes, minus the fields it drops. Lines may end in CRLF or a bare LF. One instance
 * per connection is reused for each message on it.
 */
final class Http1Head extends Http1Parse implements RequestView {
  // ---- reading ------------------------------------------------------------------------------

  int nameStart(int i) {
    return f[4 * i];
  }

  int valueStart(int i) {
    return f[4 * i + 2];
  }

  int valueEnd(int i) {
    return f[4 * i + 3];
  }

  /** Whether a field of {@code kind} is there. */
  boolean has(byte kind) {
    return (seen & (1 << kind)) != 0;
  }

  String value(int i) {
    return new String(
        bytes, valueStart(i), valueEnd(i) - valueStart(i), StandardCharsets.ISO_8859_1);
  }

  /** Whether the value of field {@code i} is exactly {@code v}. */
  boolean valueIs(int i, byte[] v) {
    return v != null && java.util.Arrays.equals(bytes, valueStart(i), valueEnd(i), v, 0, v.length);
  }

  boolean http11() {
    return minor == 1;
  }

  boolean methodIs(byte[] name) {
    return methodEnd == name.length
        && java.util.Arrays.equals(bytes, 0, methodEnd, name, 0, methodEnd);
  }

  // ---- writing ------------------------------------------------------------------------------

  /** Copies field {@code i} as {@code name: value CRLF}. */
  void writeField(ByteBuf out, int i) {
    out.writeBytes(bytes, nameStart(i), valueEnd(i) - nameStart(i));
    out.writeShort(CRLF);
  }

  /** Copies field {@code i} with {@code suffix} (ASCII) after its value. */
  void writeField(ByteBuf out, int i, String suffix) {
    out.writeBytes(bytes, nameStart(i), valueEnd(i) - nameStart(i));
    ByteBufUtil.writeAscii(out, suffix);
    out.writeShort(CRLF);
  }

  /** Writes the value of field {@code i}. */
  void writeValue(ByteBuf out, int i) {
    out.writeBytes(bytes, valueStart(i), valueEnd(i) - valueStart(i));
  }

  /**
   * Writes the status line as HTTP/1.1, or the request line as {@code method SP target SP
   * HTTP/1.1}: single spaces, the target in origin form (RFC 9112 section 3.2.1: what goes to an
   * origin server), and the agent's own version (RFC 9110 section 6.2), with CRLF.
   */
  void writeStartLine(ByteBuf out, boolean response) {
    if (response) {
      out.writeBytes(HTTP_1_1);
      out.writeBytes(bytes, 8, lineEnd - 8);
    } else {
      out.writeBytes(bytes, 0, methodEnd);
      out.writeByte(' ');
      if (originStart != targetStart && (originStart == targetEnd || bytes[originStart] != '/')) {
        out.writeByte('/'); // http://host or http://host?q: the path is "/"
      }
      out.writeBytes(bytes, originStart, targetEnd - originStart);
      out.writeByte(' ');
      out.writeBytes(HTTP_1_1);
    }
    out.writeShort(CRLF);
  }

  static final int CRLF = ('\r' << 8) | '\n';
  private static final byte[] HTTP_1_1 = ascii("HTTP/1.1");

  // ---- what routing reads -------------------------------------------------------------------

  @Override
  public List<String> headerValues(String lowerCaseName) {
    String one = null;
    List<String> more = null;
    for (int i = 0; i < count; i++) {
      int ns = nameStart(i);
      int nl = f[4 * i + 1] - ns;
      if (nl != lowerCaseName.length() || !nameIs(ns, lowerCaseName)) {
        continue;
      }
      String v = value(i);
      if (one == null) {
        one = v;
      } else {
        if (more == null) {
          more = new ArrayList<>(4);
          more.add(one);
        }
        more.add(v);
      }
    }
    return more != null ? more : one != null ? List.of(one) : List.of();
  }

  /** The values of the fields of {@code kind}, in order. */
  List<String> values(byte kind) {
    List<String> out = new ArrayList<>(2);
    for (int i = 0; i < count; i++) {
      if (kinds[i] == kind) {
        out.add(value(i));
      }
    }
    return out;
  }

  private boolean nameIs(int from, String lower) {
    for (int k = 0; k < lower.length(); k++) {
      int b = bytes[from + k];
      if (b >= 'A' && b <= 'Z') {
        b += 32;
      }
      if (b != lower.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String path() {
    if (path == null) {
      int s = targetStart;
      int e = targetEnd;
      int q = HeadBytes.indexOf(bytes, (byte) '?', s, e);
      if (q >= 0) {
        e = q;
      }
      if (s < e && bytes[s] != '/') {
        // absolute form: scheme://authority/path
        int scheme = HeadBytes.indexOf(bytes, (byte) ':', s, e);
        if (scheme >= 0 && scheme + 2 < e && bytes[scheme + 1] == '/' && bytes[scheme + 2] == '/') {
          int slash = HeadBytes.indexOf(bytes, (byte) '/', scheme + 3, e);
          s = slash >= 0 ? slash : e;
        } else {
          s = e;
        }
      }
      path = s == e ? "/" : new String(bytes, s, e - s, StandardCharsets.ISO_8859_1);
    }
    return path;
  }

  @Override
  public String method() {
    if (method == null) {
      method = knownMethod();
      if (method == null) {
        method = new String(bytes, 0, methodEnd, StandardCharsets.ISO_8859_1);
      }
    }
    return method;
  }

  private static final String[] METHODS = {
    "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECT"
  };
  private static final byte[][] METHOD_BYTES = new byte[METHODS.length][];

  static {
    for (int i = 0; i < METHODS.length; i++) {
      METHOD_BYTES[i] = ascii(METHODS[i]);
    }
  }

  private String knownMethod() {
    for (int i = 0; i < METHODS.length; i++) {
      if (methodIs(METHOD_BYTES[i])) {
        return METHODS[i];
      }
    }
    return null;
  }
}
