package io.sidetrack.edge.conformance;

import io.sidetrack.edge.conformance.RawHttp.Field;
import io.sidetrack.edge.conformance.RawHttp.Head;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A request as the origin got it, reduced to what a proxy must keep: method, target, the end-to-end
 * fields in order, the Host value, the transfer codings other than chunked, and the body decoded.
 * Fields each proxy legitimately adds or rewrites are left out.
 */
record Forwarded(
    String method,
    String target,
    String host,
    List<String> fields,
    List<String> codings,
    byte[] body) {

  /**
   * Fields a proxy adds, rewrites or drops by design: framing and connection fields (RFC 9112 6,
   * RFC 9110 7.6.1), {@code Expect} (each hop answers it, RFC 9110 10.1.1), {@code Host} (compared
   * on its own), the proxy authentication fields a proxy consumes (RFC 9110 11.7) and the
   * forwarding fields the agent appends to.
   */
  static final Set<String> PROXY_OWNED =
      Set.of(
          "host",
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "transfer-encoding",
          "content-length",
          "upgrade",
          "expect",
          "http2-settings",
          "proxy-authorization",
          "proxy-authenticate",
          "x-forwarded-for",
          "x-forwarded-host",
          "x-forwarded-proto",
          "forwarded");

  /** What the origin recorded; {@code dropped} are further names to leave out. */
  static Forwarded of(RecordingOrigin.Recorded r, Set<String> dropped) {
    List<Field> fields = r.fields();
    return new Forwarded(
        r.method(), r.target(), host(fields), endToEnd(fields, dropped), codings(fields), r.body());
  }

  /**
   * The requests of a corpus entry as they were sent, each as a proxy that keeps everything
   * end-to-end would forward it (an absolute-form target in origin form, RFC 9112 3.2.1).
   */
  static List<Forwarded> sent(List<String> requests) throws IOException {
    List<Forwarded> out = new ArrayList<>();
    for (String request : requests) {
      ByteArrayInputStream in = new ByteArrayInputStream(RawHttp.bytes(request));
      Head head = RawHttp.readHead(in);
      String[] line = head.startLine().split(" ", 3);
      byte[] body = new byte[0];
      if (head.chunked()) {
        body = RawHttp.readChunked(in).body();
      } else if (head.contentLength() > 0) {
        body = RawHttp.readFixed(in, head.contentLength());
      }
      out.add(
          new Forwarded(
              line[0],
              originForm(line[1]),
              host(head.fields()),
              endToEnd(head.fields(), namedByConnection(head.fields())),
              codings(head.fields()),
              body));
    }
    return out;
  }

  /** The names the {@code Connection} fields of {@code fields} list, in lower case. */
  static Set<String> namedByConnection(List<Field> fields) {
    Set<String> named = new HashSet<>();
    for (Field f : fields) {
      if (f.lowerName().equals("connection")) {
        for (String t : f.value().split(",")) {
          named.add(t.strip().toLowerCase(Locale.ROOT));
        }
      }
    }
    return named;
  }

  /** The {@code Connection}-named fields of each request of an entry, as sent. */
  static List<Set<String>> namedByConnection(Corpus.Entry entry) {
    List<Set<String>> out = new ArrayList<>();
    for (String request : entry.requests()) {
      try {
        Head head = RawHttp.readHead(new ByteArrayInputStream(RawHttp.bytes(request)));
        out.add(head == null ? Set.of() : namedByConnection(head.fields()));
      } catch (IOException e) {
        out.add(Set.of());
      }
    }
    return out;
  }

  static String originForm(String target) {
    int scheme = target.indexOf("://");
    if (target.startsWith("/") || scheme < 0) {
      return target;
    }
    int path = target.indexOf('/', scheme + 3);
    int query = target.indexOf('?', scheme + 3);
    if (path < 0 || (query >= 0 && query < path)) {
      return "/" + (query < 0 ? "" : target.substring(query));
    }
    return target.substring(path);
  }

  private static String host(List<Field> fields) {
    List<String> hosts = new ArrayList<>();
    for (Field f : fields) {
      if (f.lowerName().equals("host")) {
        hosts.add(f.value());
      }
    }
    return hosts.size() == 1 ? hosts.get(0) : hosts.isEmpty() ? null : hosts.toString();
  }

  private static List<String> endToEnd(List<Field> fields, Set<String> dropped) {
    List<String> out = new ArrayList<>();
    for (Field f : fields) {
      String name = f.lowerName();
      if (!PROXY_OWNED.contains(name) && !dropped.contains(name)) {
        out.add(name + ": " + f.value());
      }
    }
    return out;
  }

  private static List<String> codings(List<Field> fields) {
    List<String> out = new ArrayList<>();
    for (Field f : fields) {
      if (f.lowerName().equals("transfer-encoding")) {
        for (String c : f.value().split(",")) {
          String coding = c.strip().toLowerCase(Locale.ROOT);
          if (!coding.equals("chunked") && !coding.isEmpty()) {
            out.add(coding);
          }
        }
      }
    }
    return out;
  }

  /** What differs from {@code expected}, or null when nothing a proxy must keep does. */
  String differenceFrom(Forwarded expected, boolean withCodings) {
    List<String> d = new ArrayList<>();
    if (!method.equals(expected.method)) {
      d.add("method " + method + " != " + expected.method);
    }
    if (!target.equals(expected.target)) {
      d.add("target " + shorten(target) + " != " + shorten(expected.target));
    }
    if (expected.host != null && !Objects.equals(host, expected.host)) {
      d.add("host " + host + " != " + expected.host);
    }
    if (!fields.equals(expected.fields)) {
      d.add("fields " + shorten(fields.toString()) + " != " + shorten(expected.fields.toString()));
    }
    if (withCodings && !codings.equals(expected.codings)) {
      d.add("codings " + codings + " != " + expected.codings);
    }
    if (!Arrays.equals(body, expected.body)) {
      d.add("body of " + body.length + " bytes != " + expected.body.length + " bytes");
    }
    return d.isEmpty() ? null : String.join("; ", d);
  }

  private static String shorten(String s) {
    String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() > 120 ? printable.substring(0, 117) + "..." : printable;
  }
}
