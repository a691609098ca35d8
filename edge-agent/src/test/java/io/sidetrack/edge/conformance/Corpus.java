package io.sidetrack.edge.conformance;

import java.util.ArrayList;
import java.util.List;

/**
 * The raw requests both proxies get. Strings stand for bytes, one char per byte (ISO-8859-1), so
 * {@code \u00e9} is the single byte 0xE9. Each entry is one connection; several requests in it are
 * pipelined. Where the agent is meant to differ from nginx the entry says how and why.
 */
final class Corpus {
  /** How the agent is meant to differ from nginx on an entry. */
  enum Kind {
    /** The agent does what nginx does. */
    SAME,
    /** nginx forwards, the agent refuses. */
    STRICTER,
    /** nginx refuses, the agent forwards the request as it came (checked against the request). */
    LAXER,
    /** nginx refuses; the agent may refuse or forward as it came. */
    EITHER,
    /**
     * nginx forwards it changed; the agent forwards it as it came (checked against the request).
     */
    AS_SENT
  }

  record Entry(String name, List<String> requests, Kind kind, String why) {
    Entry {
      if (kind != Kind.SAME && (why == null || why.isBlank())) {
        throw new IllegalArgumentException(name + ": a deviation needs its reason");
      }
    }
  }

  static final String HOST = "Host: example.test\r\n";

  private final List<Entry> entries = new ArrayList<>();

  private Corpus() {}

  private Corpus add(String name, String... requests) {
    entries.add(new Entry(name, List.of(requests), Kind.SAME, null));
    return this;
  }

  private Corpus add(String name, Kind kind, String why, String... requests) {
    entries.add(new Entry(name, List.of(requests), kind, why));
    return this;
  }

  /** {@code GET target HTTP/1.1} with Host and {@code fields} (each ending in CRLF). */
  static String get(String target, String fields) {
    return "GET " + target + " HTTP/1.1\r\n" + HOST + fields + "\r\n";
  }

  static String with(String fields) {
    return get("/", fields);
  }

  static String post(String fields, String body) {
    return "POST /p HTTP/1.1\r\n" + HOST + fields + "\r\n" + body;
  }

  static String length(String body) {
    return post("Content-Length: " + body.length() + "\r\n", body);
  }

  static String chunked(String chunks) {
    return post("Transfer-Encoding: chunked\r\n", chunks);
  }

  static String allHighBytes() {
    StringBuilder b = new StringBuilder();
    for (char c = 0x80; c <= 0xff; c++) {
      b.append(c);
    }
    return b.toString();
  }

  static String allBytes() {
    StringBuilder b = new StringBuilder();
    for (char c = 0; c <= 0xff; c++) {
      b.append(c);
    }
    return b.toString();
  }

  static List<Entry> all() {
    Corpus c = new Corpus();
    String fold = "RFC 9112 5.2: obs-fold in a request is rejected with 400 (or replaced)";
    String tokenName =
        "RFC 9110 5.1: a field name is a token; nginx silently drops names it dislikes";
    String ctl =
        "RFC 9110 5.5: a control character in a value is invalid; nginx passes it, the agent refuses";
    String hostRule = "RFC 9112 3.2: a request with an invalid Host value gets 400";

    // ---- valid: start line and targets
    c.add("get-root", with(""))
        .add("get-query", get("/a/b?x=1&y=two", ""))
        .add("target-obs-text", get("/caf\u00e9?q=\u00ff", ""))
        .add("target-utf8", get("/Jos\u00c3\u00a9", ""))
        .add("target-percent", get("/a%20b%2Fc?%E9", ""))
        .add("target-double-slash", get("//double//slash", ""))
        .add("target-dot-segments", get("/a/./b/../c", ""))
        .add("target-long", get("/" + "l".repeat(3000), ""))
        .add("target-sub-delims", get("/p;a=1,b!$&'()*+@:~?k=v/?", ""))
        .add("head", "HEAD / HTTP/1.1\r\n" + HOST + "\r\n")
        .add("options-path", "OPTIONS /x HTTP/1.1\r\n" + HOST + "\r\n")
        .add(
            "options-star",
            Kind.LAXER,
            "RFC 9112 3.2.4: asterisk-form is the server-wide OPTIONS target; nginx refuses it",
            "OPTIONS * HTTP/1.1\r\n" + HOST + "\r\n")
        .add("delete", "DELETE /r/1 HTTP/1.1\r\n" + HOST + "\r\n")
        .add("put-length", "PUT /r/1 HTTP/1.1\r\n" + HOST + "Content-Length: 3\r\n\r\nabc")
        .add("patch-length", "PATCH /r/1 HTTP/1.1\r\n" + HOST + "Content-Length: 3\r\n\r\nxyz")
        .add("method-extension", "PURGE /cache HTTP/1.1\r\n" + HOST + "\r\n")
        .add(
            "method-lowercase",
            Kind.LAXER,
            "RFC 9110 9.1: a method is any token and case-sensitive; nginx allows upper case only",
            "get / HTTP/1.1\r\n" + HOST + "\r\n")
        .add("absolute-form", "GET http://example.test/abs?q=1 HTTP/1.1\r\n" + HOST + "\r\n")
        .add(
            "absolute-form-port",
            "GET http://example.test:8080/p HTTP/1.1\r\nHost: example.test:8080\r\n\r\n")
        .add("absolute-form-no-path", "GET http://example.test HTTP/1.1\r\n" + HOST + "\r\n")
        .add("blank-line-before", "\r\n" + with(""))
        .add("bare-lf", "GET /lf HTTP/1.1\nHost: example.test\nX-A: 1\n\n");

    // ---- valid: field values
    c.add("value-obs-text", with("X-Name: Jos\u00e9\r\n"))
        .add("value-utf8", with("X-Name: Jos\u00c3\u00a9\r\n"))
        .add("value-all-high-bytes", with("X-High: " + allHighBytes() + "\r\n"))
        .add("value-obs-text-in-param", with("Content-Type: text/plain; name=\u00e9t\u00e9\r\n"))
        .add("value-empty", with("X-Empty:\r\n"))
        .add("value-empty-ows", with("X-Empty:   \t \r\n"))
        .add("value-inner-whitespace", with("X-A: a  b\tc\r\n"))
        .add("value-surrounding-tabs", with("X-A:\tv\t\r\n"))
        .add("value-no-space", with("X-A:v\r\n"))
        .add("value-quoted", with("X-Q: \"quoted, value\" ; x=\"\\\"\"\r\n"))
        .add("value-list", with("Accept: text/html, application/json;q=0.9, */*;q=0.1\r\n"))
        .add("value-colons", with("X-Time: 12:34:56\r\n"))
        .add("value-long", with("X-Long: " + "v".repeat(4000) + "\r\n"))
        .add("value-percent-nul", with("X-P: %00\r\n"))
        .add("duplicate-fields", with("X-Dup: 1\r\nX-Dup: 2\r\n"))
        .add("duplicate-interleaved", with("X-A: 1\r\nX-B: 2\r\nX-A: 3\r\n"))
        .add("duplicate-cookies", with("Cookie: a=1\r\nCookie: b=2\r\n"))
        .add("name-mixed-case", with("x-MiXeD-CaSe: v\r\n"))
        .add("name-digits", with("X-123: v\r\n"))
        .add("name-tchars", Kind.AS_SENT, tokenName, with("X-!#$%&'*+.^`|~: v\r\n"))
        .add("name-underscore", Kind.AS_SENT, tokenName, with("X_Under: v\r\n"))
        .add("many-fields", with(manyFields(100)))
        .add(
            "user-agent-and-friends",
            with("User-Agent: curl/8.0\r\nAccept-Encoding: gzip\r\nAuthorization: Bearer t\r\n"))
        .add("host-port", "GET / HTTP/1.1\r\nHost: example.test:8080\r\n\r\n")
        .add("host-ipv6", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n")
        .add("host-ipv4", "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .add("host-upper-case", "GET / HTTP/1.1\r\nHost: EXAMPLE.Test\r\n\r\n")
        .add("host-not-first", "GET / HTTP/1.1\r\nX-A: 1\r\nHost: example.test\r\n\r\n")
        .add("x-forwarded-for-prior", with("X-Forwarded-For: 10.0.0.1\r\n"))
        .add("forwarded-prior", with("Forwarded: for=10.0.0.1\r\n"))
        .add("expect-unknown", with("Expect: something\r\n"));

    // ---- valid: hop-by-hop
    String named =
        "RFC 9110 7.6.1: a proxy removes the fields Connection names; nginx forwards them";
    c.add("connection-close", with("Connection: close\r\n"))
        .add("connection-keep-alive", with("Connection: keep-alive\r\n"))
        .add("connection-named", Kind.SAME, named, with("Connection: X-Secret\r\nX-Secret: s\r\n"))
        .add(
            "connection-named-several",
            Kind.SAME,
            named,
            with("Connection: close, X-A, x-b\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\n"))
        .add(
            "connection-named-two-fields",
            Kind.SAME,
            named,
            with("Connection: X-A\r\nConnection: X-B\r\nX-A: 1\r\nX-B: 2\r\n"))
        .add("connection-named-absent", with("Connection: X-Absent\r\nX-A: 1\r\n"))
        .add("keep-alive-field", with("Keep-Alive: timeout=5\r\n"))
        .add("te-trailers", with("TE: trailers\r\n"))
        .add("proxy-connection", with("Proxy-Connection: keep-alive\r\n"));

    // ---- valid: bodies
    c.add("length-body", length("hello"))
        .add("length-zero", post("Content-Length: 0\r\n", ""))
        .add("length-leading-zeros", post("Content-Length: 005\r\n", "hello"))
        .add("length-binary", length(allBytes()))
        .add("length-large", length("b".repeat(200_000)))
        .add("chunked-one", chunked("5\r\nhello\r\n0\r\n\r\n"))
        .add("chunked-several", chunked("3\r\nabc\r\n1\r\nd\r\nA\r\n0123456789\r\n0\r\n\r\n"))
        .add("chunked-empty", chunked("0\r\n\r\n"))
        .add(
            "chunked-extensions",
            chunked("5;name=value\r\nhello\r\n3;a;b=\"q;x\"\r\nabc\r\n0;end\r\n\r\n"))
        .add("chunked-upper-hex", chunked("A\r\n0123456789\r\n0\r\n\r\n"))
        .add("chunked-leading-zeros", chunked("0005\r\nhello\r\n000\r\n\r\n"))
        .add("chunked-trailers", chunked("5\r\nhello\r\n0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n"))
        .add(
            "chunked-trailer-announced",
            post(
                "Transfer-Encoding: chunked\r\nTrailer: X-T\r\n", "2\r\nhi\r\n0\r\nX-T: 1\r\n\r\n"))
        .add("chunked-case", post("Transfer-Encoding: Chunked\r\n", "2\r\nhi\r\n0\r\n\r\n"))
        .add("chunked-bare-lf", post("Transfer-Encoding: chunked\r\n", "2\nhi\n0\n\n"))
        .add("chunked-binary", chunked("100\r\n" + allBytes() + "\r\n0\r\n\r\n"))
        .add(
            "te-gzip-chunked",
            Kind.EITHER,
            "RFC 9112 6.1: an unknown coding SHOULD get 501 (nginx); forwarding it with chunked"
                + " last keeps the framing",
            post("Transfer-Encoding: gzip, chunked\r\n", "3\r\nxyz\r\n0\r\n\r\n"))
        .add("expect-100-length", post("Expect: 100-continue\r\nContent-Length: 5\r\n", "hello"))
        .add(
            "expect-100-chunked",
            post(
                "Expect: 100-continue\r\nTransfer-Encoding: chunked\r\n",
                "5\r\nhello\r\n0\r\n\r\n"));

    // ---- valid: pipelining and HTTP/1.0
    c.add("pipelined-two", get("/1", ""), get("/2", ""))
        .add("pipelined-bodies", get("/1", ""), length("abc"), get("/3", ""))
        .add("pipelined-chunked", chunked("1\r\na\r\n0\r\n\r\n"), get("/2", ""), length("zz"))
        .add("pipelined-head", "HEAD /h HTTP/1.1\r\n" + HOST + "\r\n", get("/g", ""))
        .add(
            "pipelined-five",
            get("/1", ""),
            get("/2", ""),
            get("/3", ""),
            get("/4", ""),
            get("/5", ""))
        .add("pipelined-close-last", get("/1", ""), get("/2", "Connection: close\r\n"))
        .add("http10", "GET /old HTTP/1.0\r\n\r\n")
        .add("http10-host", "GET /old HTTP/1.0\r\n" + HOST + "\r\n")
        .add(
            "http10-keep-alive",
            "GET /1 HTTP/1.0\r\n" + HOST + "Connection: keep-alive\r\n\r\n",
            "GET /2 HTTP/1.0\r\n" + HOST + "\r\n")
        .add("http10-post", "POST /p HTTP/1.0\r\n" + HOST + "Content-Length: 4\r\n\r\nbody");

    // ---- invalid: Content-Length and Transfer-Encoding (RFC 9112 6)
    c.add("cl-conflicting", post("Content-Length: 1\r\nContent-Length: 2\r\n", "ab"))
        .add("cl-duplicate-same", post("Content-Length: 2\r\nContent-Length: 2\r\n", "ab"))
        .add("cl-list", post("Content-Length: 2, 2\r\n", "ab"))
        .add("cl-negative", post("Content-Length: -1\r\n", ""))
        .add("cl-plus", post("Content-Length: +2\r\n", "ab"))
        .add("cl-not-a-number", post("Content-Length: abc\r\n", ""))
        .add("cl-inner-space", post("Content-Length: 1 2\r\n", "ab"))
        .add("cl-empty", post("Content-Length:\r\n", ""))
        .add("cl-overflow", post("Content-Length: 99999999999999999999\r\n", ""))
        .add(
            "cl-and-te",
            post("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", "3\r\nabc\r\n0\r\n\r\n"))
        .add("te-chunked-not-last", post("Transfer-Encoding: chunked, gzip\r\n", "abc"))
        .add("te-gzip-only", post("Transfer-Encoding: gzip\r\n", "abc"))
        .add("te-identity", post("Transfer-Encoding: identity\r\n", "abc"))
        .add("te-empty", post("Transfer-Encoding:\r\n", ""))
        .add(
            "te-chunked-twice",
            post(
                "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                "1\r\na\r\n0\r\n\r\n"))
        .add(
            "te-chunked-chunked",
            post("Transfer-Encoding: chunked, chunked\r\n", "1\r\na\r\n0\r\n\r\n"))
        .add(
            "te-http10",
            "POST /p HTTP/1.0\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n")
        .add("chunk-size-bad", chunked("x\r\nabc\r\n0\r\n\r\n"))
        .add("chunk-size-negative", chunked("-1\r\na\r\n0\r\n\r\n"))
        .add("chunk-size-overflow", chunked("10000000000000000\r\na\r\n0\r\n\r\n"))
        .add("chunk-size-leading-space", chunked(" 1\r\na\r\n0\r\n\r\n"))
        .add("chunk-size-missing", chunked("\r\na\r\n0\r\n\r\n"))
        .add("chunk-data-too-long", chunked("1\r\nabc\r\n0\r\n\r\n"))
        .add("chunk-no-crlf-after-data", chunked("1\r\naX0\r\n\r\n"));

    // ---- invalid: field lines (RFC 9110 5, RFC 9112 5)
    c.add("obs-fold", Kind.SAME, fold, with("X-A: 1\r\n folded\r\n"))
        .add("obs-fold-tab", Kind.SAME, fold, with("X-A: 1\r\n\tfolded\r\n"))
        .add("nul-in-value", with("X-A: a\u0000b\r\n"))
        .add("cr-in-value", with("X-A: a\rb\r\n"))
        .add("ctl-in-value", Kind.STRICTER, ctl, with("X-A: a\u0001b\r\n"))
        .add("del-in-value", Kind.STRICTER, ctl, with("X-A: a\u007fb\r\n"))
        .add("space-before-colon", with("X-A : 1\r\n"))
        .add("tab-before-colon", with("X-A\t: 1\r\n"))
        .add("space-in-name", with("X A: 1\r\n"))
        .add("empty-name", with(": v\r\n"))
        .add(
            "no-colon",
            Kind.STRICTER,
            "RFC 9112 5: a field line without a colon is invalid; nginx skips it",
            with("NoColon\r\n"))
        .add("nul-in-name", with("X-\u0000A: 1\r\n"))
        .add(
            "obs-text-in-name",
            Kind.STRICTER,
            tokenName + "; the agent refuses what is not a token",
            with("X-\u00e9: v\r\n"))
        .add("missing-host", "GET / HTTP/1.1\r\n\r\n")
        .add("two-hosts", "GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n")
        .add("two-hosts-same", "GET / HTTP/1.1\r\nHost: a.test\r\nHost: a.test\r\n\r\n")
        .add("host-slash", Kind.SAME, hostRule, "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n")
        .add("host-space", Kind.SAME, hostRule, "GET / HTTP/1.1\r\nHost: a b\r\n\r\n")
        .add("host-empty", "GET / HTTP/1.1\r\nHost:\r\n\r\n")
        .add("head-too-large", with("X-Big: " + "h".repeat(20_000) + "\r\n"))
        .add("pipelined-then-invalid", get("/ok", ""), "GET /bad HTTP/1.1\r\n\r\n");

    // ---- invalid: request line (RFC 9112 3)
    c.add("method-bad-char", "G(T / HTTP/1.1\r\n" + HOST + "\r\n")
        .add("method-obs-text", "G\u00c9T / HTTP/1.1\r\n" + HOST + "\r\n")
        .add("target-space", "GET /a b HTTP/1.1\r\n" + HOST + "\r\n")
        .add("target-ctl", "GET /a\u0001b HTTP/1.1\r\n" + HOST + "\r\n")
        .add("target-nul", "GET /a\u0000b HTTP/1.1\r\n" + HOST + "\r\n")
        .add("target-del", "GET /a\u007fb HTTP/1.1\r\n" + HOST + "\r\n")
        .add("target-empty", "GET  HTTP/1.1\r\n" + HOST + "\r\n")
        .add("version-bad-name", "GET / HTTX/1.1\r\n" + HOST + "\r\n")
        .add("version-lower-case", "GET / http/1.1\r\n" + HOST + "\r\n")
        .add("version-1-2", "GET / HTTP/1.2\r\n" + HOST + "\r\n")
        .add("version-2-0", "GET / HTTP/2.0\r\n" + HOST + "\r\n")
        .add(
            "version-missing",
            Kind.STRICTER,
            "RFC 9112 3: the request line ends in HTTP-version; nginx answers it as HTTP/0.9",
            "GET /\r\n" + HOST + "\r\n")
        .add("version-trailing-space", "GET / HTTP/1.1 \r\n" + HOST + "\r\n")
        .add("double-space", "GET  /  HTTP/1.1\r\n" + HOST + "\r\n")
        .add("tab-separator", "GET\t/\tHTTP/1.1\r\n" + HOST + "\r\n")
        .add("version-digits", "GET / HTTP/11.1\r\n" + HOST + "\r\n");
    return List.copyOf(c.entries);
  }

  static String manyFields(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append("X-Field-").append(i).append(": value-").append(i).append("\r\n");
    }
    return b.toString();
  }
}
