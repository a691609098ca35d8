package io.sidetrack.edge.conformance;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A lenient HTTP/1.x reader for the test's two ends (the recording origin and the raw client): it
 * takes whatever the proxies under test send, so that what they send can be compared, never judged
 * here. Bytes are read as ISO-8859-1, one char per byte.
 */
final class RawHttp {
  private RawHttp() {}

  /** One field as it came: name and value (without surrounding whitespace). */
  record Field(String name, String value) {
    String lowerName() {
      return name.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
      return name + ": " + value;
    }
  }

  /** A start line and fields. */
  record Head(String startLine, List<Field> fields) {
    /** The values of every field named {@code lower}, in order. */
    List<String> values(String lower) {
      List<String> out = new ArrayList<>();
      for (Field f : fields) {
        if (f.lowerName().equals(lower)) {
          out.add(f.value());
        }
      }
      return out;
    }

    boolean chunked() {
      List<String> te = values("transfer-encoding");
      if (te.isEmpty()) {
        return false;
      }
      String all = String.join(",", te);
      String[] codings = all.split(",");
      return codings[codings.length - 1].trim().equalsIgnoreCase("chunked");
    }

    /** The Content-Length value, or -1 when there is none or it is not one number. */
    long contentLength() {
      List<String> cl = values("content-length");
      if (cl.isEmpty()) {
        return -1;
      }
      try {
        return Long.parseLong(cl.get(0).trim());
      } catch (NumberFormatException e) {
        return -1;
      }
    }
  }

  /** A chunked body, decoded, with its trailer fields. */
  record Chunked(byte[] body, List<Field> trailers) {}

  /** The next head, or null at the end of the stream before any of it. */
  static Head readHead(InputStream in) throws IOException {
    String start = readLine(in);
    while (start != null && start.isEmpty()) {
      start = readLine(in); // blank lines before a message are ignored (RFC 9112 section 2.2)
    }
    if (start == null) {
      return null;
    }
    return new Head(start, readFields(in));
  }

  /** Fields up to the blank line. */
  static List<Field> readFields(InputStream in) throws IOException {
    List<Field> fields = new ArrayList<>();
    for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        fields.add(new Field(line, ""));
      } else {
        fields.add(new Field(line.substring(0, colon), line.substring(colon + 1).strip()));
      }
    }
    return fields;
  }

  /** One line without its CRLF or LF; null at the end of the stream before any byte. */
  static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder(64);
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int n = b.length();
        if (n > 0 && b.charAt(n - 1) == '\r') {
          b.setLength(n - 1);
        }
        return b.toString();
      }
      b.append((char) c);
    }
    return b.isEmpty() ? null : b.toString();
  }

  static byte[] readFixed(InputStream in, long n) throws IOException {
    byte[] out = in.readNBytes((int) n);
    if (out.length < n) {
      throw new EOFException("body ended after " + out.length + " of " + n + " bytes");
    }
    return out;
  }

  static Chunked readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String line = readLine(in);
      if (line == null) {
        throw new EOFException("chunked body ended early");
      }
      int end = 0;
      while (end < line.length() && Character.digit(line.charAt(end), 16) >= 0) {
        end++;
      }
      long size = Long.parseLong(line.substring(0, end), 16);
      if (size == 0) {
        return new Chunked(body.toByteArray(), readFields(in));
      }
      body.write(readFixed(in, size));
      readLine(in); // the CRLF after the data
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
