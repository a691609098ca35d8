package io.sidetrack.edge.proxy;

import io.netty.buffer.ByteBuf;

/**
 * Parsing one HTTP/1.x message head (start line and header fields) into offsets in a copy of its
 * bytes: what is wrong with it, the field kinds, and the framing it asks for. Lines may end in CRLF
 * or a bare LF. {@link Http1Head} adds reading and writing the parsed head.
 */
abstract class Http1Parse {
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

  /** W3C {@code baggage}: end-to-end, and where baggage bridging appends its member. */
  static final byte BAGGAGE = 15;

  /** {@code x-sidetrack-id}: end-to-end, and what makes a request worth bridging. */
  static final byte SIDETRACK_ID = 16;

  private static final byte[] CHUNKED = HeadBytes.ascii("chunked");
  private static final byte[] CLOSE = HeadBytes.ascii("close");
  private static final byte[] KEEP_ALIVE = HeadBytes.ascii("keep-alive");

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
  boolean namesFields;

  /** The kinds of the fields, one bit each ({@code 1 << kind}). */
  int seen;

  String method;
  String path;

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
    int sp1 = HeadBytes.indexOf(bytes, (byte) ' ', 0, eol);
    if (sp1 <= 0) {
      return "malformed request line";
    }
    for (int i = 0; i < sp1; i++) {
      if (!HeadBytes.tchar(bytes[i])) {
        return "malformed method";
      }
    }
    methodEnd = sp1;
    int ts = HeadBytes.skipSpaces(bytes, sp1, eol);
    int sp2 = HeadBytes.indexOf(bytes, (byte) ' ', ts, eol);
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
    originStart = HeadBytes.originFormStart(bytes, ts, sp2);
    versionStart = HeadBytes.skipSpaces(bytes, sp2, eol);
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
    } else if (!HeadBytes.validHost(bytes, f[4 * host + 2], f[4 * host + 3])) {
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
      int colon = HeadBytes.indexOf(bytes, (byte) ':', pos, eol);
      if (colon <= pos) {
        return "malformed header field";
      }
      for (int i = pos; i < colon; i++) {
        if (!HeadBytes.tchar(bytes[i])) {
          return "malformed header name";
        }
      }
      int vs = HeadBytes.skipOws(bytes, colon + 1, eol);
      int ve = HeadBytes.trimOws(bytes, vs, eol);
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
      byte kind = HeadBytes.classify(bytes, pos, colon - pos);
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
          e = HeadBytes.tokenEnd(bytes, s, ve);
          int ts = HeadBytes.skipOws(bytes, s, e);
          int te = HeadBytes.trimOws(bytes, ts, e);
          if (te == ts) {
            continue;
          }
          if (chunked) {
            chunkedNotLast = true; // a request is refused for it, an answer read to its close
          }
          chunked = HeadBytes.equalsIgnoreCase(bytes, ts, te, CHUNKED);
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
      e = HeadBytes.tokenEnd(bytes, s, ve);
      int ts = HeadBytes.skipOws(bytes, s, e);
      int te = HeadBytes.trimOws(bytes, ts, e);
      if (HeadBytes.equalsIgnoreCase(bytes, ts, te, CLOSE)) {
        close = true;
      } else if (te > ts && !HeadBytes.equalsIgnoreCase(bytes, ts, te, KEEP_ALIVE)) {
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
        e = HeadBytes.tokenEnd(bytes, s, ve);
        int ts = HeadBytes.skipOws(bytes, s, e);
        int te = HeadBytes.trimOws(bytes, ts, e);
        for (int i = 0; i < count; i++) {
          if (endToEnd(kinds[i]) && HeadBytes.sameName(bytes, f[4 * i], f[4 * i + 1], ts, te)) {
            kinds[i] = NAMED_BY_CONNECTION;
            seen |= 1 << NAMED_BY_CONNECTION;
          }
        }
      }
    }
  }

  /** Whether fields of {@code kind} go on unless {@code Connection} names them. */
  private static boolean endToEnd(byte kind) {
    return kind == OTHER || kind == BAGGAGE || kind == SIDETRACK_ID;
  }

  // ---- lines ------------------------------------------------------------------------------

  /** The end of the line starting at {@code pos}: its CR if CRLF ends it, else its LF. */
  private int lineEnd(int pos) {
    int lf = HeadBytes.indexOf(bytes, (byte) '\n', pos, length);
    int end = lf < 0 ? length : lf;
    return end > pos && bytes[end - 1] == '\r' ? end - 1 : end;
  }

  /** The start of the line after the one ending at {@code eol}. */
  private int next(int eol) {
    return eol < length && bytes[eol] == '\r' ? eol + 2 : eol + 1;
  }

  static byte[] ascii(String s) {
    return HeadBytes.ascii(s);
  }
}
