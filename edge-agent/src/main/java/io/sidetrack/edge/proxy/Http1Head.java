package io.sidetrack.edge.proxy;

import io.netty.buffer.ByteBuf;
import io.sidetrack.core.RelayHeaders;
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
final class Http1Head implements RequestView {
  /** Fields the front treats specially; every other field is {@link #OTHER}. */
  static final byte OTHER = 0;

  static final byte CONTENT_LENGTH = 1;
  static final byte TRANSFER_ENCODING = 2;
  static final byte CONNECTION = 3;
  static final byte UPGRADE = 4;
  static final byte EXPECT = 5;
  static final byte HOST = 6;

  /** Hop-by-hop fields always dropped (RFC 9110 section 7.6.1): keep-alive, te and the like. */
  static final byte HOP = 7;

  static final byte X_FORWARDED_FOR = 8;
  static final byte X_FORWARDED_HOST = 9;
  static final byte X_FORWARDED_PROTO = 10;
  static final byte FORWARDED = 11;

  /** The intercept id and workload the agent sets itself; a client's own are dropped. */
  static final byte RELAY = 12;

  static final byte NO_TUNNEL = 13;

  /** A field the {@code Connection} header names: hop-by-hop for this message. */
  static final byte NAMED_BY_CONNECTION = 14;

  private static final byte[][] NAMES = {
    ascii("content-length"),
    ascii("transfer-encoding"),
    ascii("connection"),
    ascii("upgrade"),
    ascii("expect"),
    ascii("host"),
    ascii("keep-alive"),
    ascii("proxy-connection"),
    ascii("te"),
    ascii("proxy-authenticate"),
    ascii("proxy-authorization"),
    ascii("x-forwarded-for"),
    ascii("x-forwarded-host"),
    ascii("x-forwarded-proto"),
    ascii("forwarded"),
    ascii(RelayHeaders.INTERCEPT),
    ascii(RelayHeaders.WORKLOAD),
    ascii(RelayHeaders.NO_TUNNEL)
  };
  private static final byte[] KINDS = {
    CONTENT_LENGTH,
    TRANSFER_ENCODING,
    CONNECTION,
    UPGRADE,
    EXPECT,
    HOST,
    HOP,
    HOP,
    HOP,
    HOP,
    HOP,
    X_FORWARDED_FOR,
    X_FORWARDED_HOST,
    X_FORWARDED_PROTO,
    FORWARDED,
    RELAY,
    RELAY,
    NO_TUNNEL
  };
  private static final byte[] CHUNKED = ascii("chunked");
  private static final byte[] CLOSE = ascii("close");
  private static final byte[] KEEP_ALIVE = ascii("keep-alive");

  /** The most fields one head may have. */
  static final int MAX_FIELDS = 256;

  byte[] bytes = new byte[1024];
  int length;

  /** Where the start line ends (its CR or LF). */
  int lineEnd;

  /** Request: the method is {@code [0, methodEnd)}, the target {@code [targetStart, targetEnd)}. */
  int methodEnd;

  int targetStart;
  int targetEnd;

  /** Where the target's origin form starts: {@link #targetStart} unless it is absolute-form. */
  int originStart;

  /** Where the version starts: {@code HTTP/1.1} is {@code [versionStart, versionStart + 8)}. */
  int versionStart;

  /** 1 for HTTP/1.1, 0 for HTTP/1.0, -1 for anything else. */
  int minor;

  /** Response: the status code. */
  int status;

  /** Fields: name {@code [f[4i], f[4i+1])}, value (trimmed) {@code [f[4i+2], f[4i+3])}. */
  int[] f = new int[64];

  byte[] kinds = new byte[16];
  int count;

  /** The body length a {@code Content-Length} gave, or -1. */
  long contentLength;

  /** Whether {@code Transfer-Encoding} is there, and whether its last coding is chunked. */
  boolean transferEncoding;

  boolean chunked;

  /** Whether a coding came after {@code chunked} (which also makes chunked twice). */
  private boolean chunkedNotLast;

  /** Whether {@code Connection} says close. */
  boolean close;

  /** Whether {@code Connection} names fields other than close and keep-alive. */
  private boolean namesFields;

  /** The kinds of the fields, one bit each ({@code 1 << kind}). */
  private int seen;

  private String method;
  private String path;

  /**
   * The index just past the blank line that ends the head starting at {@code buf}'s reader index,
   * or -1 if the head is not complete within {@code max} bytes.
   */
  static int findEnd(ByteBuf buf, int max) {
    int from = buf.readerIndex();
    int to = from + Math.min(buf.readableBytes(), max);
    int lineStart = from;
    while (lineStart < to) {
      int lf = buf.indexOf(lineStart, to, (byte) '\n');
      if (lf < 0) {
        return -1;
      }
      int len = lf - lineStart;
      if ((len == 0 || len == 1 && buf.getByte(lineStart) == '\r') && lineStart > from) {
        return lf + 1;
      }
      lineStart = lf + 1;
    }
    return -1;
  }

  /** Copies the head {@code [buf.readerIndex(), end)} in; the reader index does not move. */
  private void copy(ByteBuf buf, int end) {
    length = end - buf.readerIndex();
    if (bytes.length < length) {
      bytes = new byte[Math.max(length, bytes.length * 2)];
    }
    buf.getBytes(buf.readerIndex(), bytes, 0, length);
    count = 0;
    contentLength = -1;
    transferEncoding = false;
    chunked = false;
    chunkedNotLast = false;
    close = false;
    namesFields = false;
    seen = 0;
    method = null;
    path = null;
    status = 0;
    minor = -1;
  }

  /**
   * Parses a request head; null when it is well formed, else what is wrong with it. The request
   * line's parts may be separated by more than one space and followed by spaces (RFC 9112 section 3
   * allows parsing on whitespace), as nginx does; the line goes on rewritten ({@link
   * #writeStartLine}).
   */
  String parseRequest(ByteBuf buf, int end) {
    copy(buf, end);
    int eol = lineEnd(0);
    lineEnd = eol;
    int sp1 = indexOf((byte) ' ', 0, eol);
    if (sp1 <= 0) {
      return "malformed request line";
    }
    for (int i = 0; i < sp1; i++) {
      if (!tchar(bytes[i])) {
        return "malformed method";
      }
    }
    methodEnd = sp1;
    int ts = skipSpaces(sp1, eol);
    int sp2 = indexOf((byte) ' ', ts, eol);
    if (sp2 < 0 || sp2 == ts) {
      return "malformed request line";
    }
    for (int i = ts; i < sp2; i++) {
      int b = bytes[i] & 0xff; // unsigned: obs-text (0x80 and up) is no control character
      if (b <= ' ' || b == 0x7f) {
        return "malformed request target";
      }
    }
    targetStart = ts;
    targetEnd = sp2;
    originStart = originFormStart(ts, sp2);
    versionStart = skipSpaces(sp2, eol);
    int versionEnd = eol;
    while (versionEnd > versionStart && bytes[versionEnd - 1] == ' ') {
      versionEnd--;
    }
    String versionError = version(versionStart, versionEnd);
    if (versionError != null) {
      return versionError;
    }
    String error = fields(eol);
    return error != null ? error : requestRules();
  }

  /**
   * What RFC 9112 asks of a request beyond its syntax: one valid {@code Host} (section 3.2), no
   * transfer coding in HTTP/1.0 (section 6.1), and not both {@code Content-Length} and {@code
   * Transfer-Encoding} (section 6.1: a server may refuse it, as nginx does; forwarding it would
   * have to close the connection after the answer).
   */
  private String requestRules() {
    int host = -1;
    for (int i = 0; i < count; i++) {
      if (kinds[i] == HOST) {
        if (host >= 0) {
          return "more than one host";
        }
        host = i;
      }
    }
    if (host < 0) {
      if (minor == 1) {
        return "missing host";
      }
    } else if (!validHost(valueStart(host), valueEnd(host))) {
      return "malformed host";
    }
    if (transferEncoding) {
      if (chunkedNotLast) {
        return "chunked not the last transfer coding";
      }
      if (minor == 0) {
        return "transfer-encoding in an HTTP/1.0 request";
      }
      if (contentLength >= 0) {
        return "content-length with transfer-encoding";
      }
    }
    return null;
  }

  /**
   * Whether {@code [s, e)} is a {@code Host} value: {@code uri-host [ ":" port ]} (RFC 9110 section
   * 7.2), a reg-name, IPv4 or bracketed IP literal; never empty for http (section 4.2.1).
   */
  private boolean validHost(int s, int e) {
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
  private int originFormStart(int s, int e) {
    if (bytes[s] == '/' || bytes[s] == '*') {
      return s;
    }
    int colon = indexOf((byte) ':', s, e);
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

  private int skipSpaces(int s, int e) {
    while (s < e && bytes[s] == ' ') {
      s++;
    }
    return s;
  }

  /** Parses a response head; null when it is well formed, else what is wrong with it. */
  String parseResponse(ByteBuf buf, int end) {
    copy(buf, end);
    int eol = lineEnd(0);
    lineEnd = eol;
    versionStart = 0;
    if (eol < 12 || bytes[8] != ' ' || version(0, 8) != null) {
      return "malformed status line";
    }
    int code = 0;
    for (int i = 9; i < 12; i++) {
      byte b = bytes[i];
      if (b < '0' || b > '9') {
        return "malformed status code";
      }
      code = code * 10 + (b - '0');
    }
    if (eol > 12 && bytes[12] != ' ') {
      return "malformed status line";
    }
    status = code;
    return fields(eol);
  }

  private String version(int from, int to) {
    if (to - from != 8
        || bytes[from] != 'H'
        || bytes[from + 1] != 'T'
        || bytes[from + 2] != 'T'
        || bytes[from + 3] != 'P'
        || bytes[from + 4] != '/'
        || bytes[from + 6] != '.'
        || bytes[from + 5] < '0'
        || bytes[from + 5] > '9'
        || bytes[from + 7] < '0'
        || bytes[from + 7] > '9') {
      return "malformed HTTP version";
    }
    // a higher minor version is taken as the highest one known (RFC 9110 section 6.2)
    minor = bytes[from + 5] == '1' ? (bytes[from + 7] == '0' ? 0 : 1) : -1;
    return null;
  }

  private String fields(int startLineEnd) {
    int pos = next(startLineEnd);
    while (pos < length) {
      int eol = lineEnd(pos);
      if (eol == pos) {
        break; // the blank line
      }
      byte first = bytes[pos];
      if (first == ' ' || first == '\t') {
        return "obsolete line folding";
      }
      int colon = indexOf((byte) ':', pos, eol);
      if (colon <= pos) {
        return "malformed header field";
      }
      for (int i = pos; i < colon; i++) {
        if (!tchar(bytes[i])) {
          return "malformed header name";
        }
      }
      int vs = skipOws(colon + 1, eol);
      int ve = trimOws(vs, eol);
      for (int i = vs; i < ve; i++) {
        int b = bytes[i] & 0xff; // unsigned: obs-text (RFC 9110 section 5.5) is allowed
        if ((b < ' ' && b != '\t') || b == 0x7f) {
          return "malformed header value";
        }
      }
      if (count == MAX_FIELDS) {
        return "too many header fields";
      }
      if (f.length < 4 * (count + 1)) {
        f = java.util.Arrays.copyOf(f, f.length * 2);
        kinds = java.util.Arrays.copyOf(kinds, kinds.length * 2);
      }
      int i4 = 4 * count;
      f[i4] = pos;
      f[i4 + 1] = colon;
      f[i4 + 2] = vs;
      f[i4 + 3] = ve;
      byte kind = classify(pos, colon - pos);
      kinds[count] = kind;
      seen |= 1 << kind;
      count++;
      String error = note(kind, vs, ve);
      if (error != null) {
        return error;
      }
      pos = next(eol);
    }
    if (namesFields) {
      markNamedByConnection();
    }
    return null;
  }

  private String note(byte kind, int vs, int ve) {
    switch (kind) {
      case CONTENT_LENGTH -> {
        long n = 0;
        if (vs == ve) {
          return "malformed content-length";
        }
        for (int i = vs; i < ve; i++) {
          byte b = bytes[i];
          if (b < '0' || b > '9' || n > Long.MAX_VALUE / 10 - 10) {
            return "malformed content-length";
          }
          n = n * 10 + (b - '0');
        }
        if (contentLength >= 0) {
          // RFC 9110 section 8.6 lets a recipient refuse a repeated length, as nginx does
          return contentLength != n ? "conflicting content-length" : "repeated content-length";
        }
        contentLength = n;
      }
      case TRANSFER_ENCODING -> {
        // chunked counts only as the last coding named, and only once (RFC 9112 section 6.1)
        for (int s = vs, e; s < ve; s = e + 1) {
          e = tokenEnd(s, ve);
          int ts = skipOws(s, e);
          int te = trimOws(ts, e);
          if (te == ts) {
            continue;
          }
          if (chunked) {
            chunkedNotLast = true; // a request is refused for it, an answer read to its close
          }
          chunked = equalsIgnoreCase(ts, te, CHUNKED);
        }
        transferEncoding = true;
      }
      case CONNECTION -> connection(vs, ve);
      default -> {}
    }
    return null;
  }

  /** Notes what one {@code Connection} value says: close, and whether it names other fields. */
  private void connection(int vs, int ve) {
    for (int s = vs, e; s < ve; s = e + 1) {
      e = tokenEnd(s, ve);
      int ts = skipOws(s, e);
      int te = trimOws(ts, e);
      if (equalsIgnoreCase(ts, te, CLOSE)) {
        close = true;
      } else if (te > ts && !equalsIgnoreCase(ts, te, KEEP_ALIVE)) {
        namesFields = true;
      }
    }
  }

  private void markNamedByConnection() {
    for (int c = 0; c < count; c++) {
      if (kinds[c] != CONNECTION) {
        continue;
      }
      int ve = f[4 * c + 3];
      for (int s = f[4 * c + 2], e; s < ve; s = e + 1) {
        e = tokenEnd(s, ve);
        int ts = skipOws(s, e);
        int te = trimOws(ts, e);
        for (int i = 0; i < count; i++) {
          if (kinds[i] == OTHER && sameName(f[4 * i], f[4 * i + 1], ts, te)) {
            kinds[i] = NAMED_BY_CONNECTION;
            seen |= 1 << NAMED_BY_CONNECTION;
          }
        }
      }
    }
  }

  /** The end of the list element starting at {@code s}: its comma, or {@code ve}. */
  private int tokenEnd(int s, int ve) {
    int comma = indexOf((byte) ',', s, ve);
    return comma < 0 ? ve : comma;
  }

  /** The first index from {@code s} that is not optional whitespace (space or tab). */
  private int skipOws(int s, int e) {
    while (s < e && (bytes[s] == ' ' || bytes[s] == '\t')) {
      s++;
    }
    return s;
  }

  /** {@code e} moved back over optional whitespace, not before {@code s}. */
  private int trimOws(int s, int e) {
    while (e > s && (bytes[e - 1] == ' ' || bytes[e - 1] == '\t')) {
      e--;
    }
    return e;
  }

  private byte classify(int from, int len) {
    for (int k = 0; k < NAMES.length; k++) {
      byte[] name = NAMES[k];
      if (name.length == len && equalsIgnoreCase(from, from + len, name)) {
        return KINDS[k];
      }
    }
    return OTHER;
  }

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
      int q = indexOf((byte) '?', s, e);
      if (q >= 0) {
        e = q;
      }
      if (s < e && bytes[s] != '/') {
        // absolute form: scheme://authority/path
        int scheme = indexOf((byte) ':', s, e);
        if (scheme >= 0 && scheme + 2 < e && bytes[scheme + 1] == '/' && bytes[scheme + 2] == '/') {
          int slash = indexOf((byte) '/', scheme + 3, e);
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

  // ---- bytes --------------------------------------------------------------------------------

  /** The end of the line starting at {@code pos}: its CR if CRLF ends it, else its LF. */
  private int lineEnd(int pos) {
    int lf = indexOf((byte) '\n', pos, length);
    int end = lf < 0 ? length : lf;
    return end > pos && bytes[end - 1] == '\r' ? end - 1 : end;
  }

  /** The start of the line after the one ending at {@code eol}. */
  private int next(int eol) {
    return eol < length && bytes[eol] == '\r' ? eol + 2 : eol + 1;
  }

  private int indexOf(byte b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private boolean equalsIgnoreCase(int from, int to, byte[] lower) {
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

  private boolean sameName(int as, int ae, int bs, int be) {
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
  private static boolean tchar(byte b) {
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
