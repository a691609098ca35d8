package io.sidetrack.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.sidetrack.testkit.Bounded;
import io.sidetrack.testkit.NettyLeaks;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * Properties of the fast front's head parser ({@link Http1Parse}, {@link Http1Head}, {@link
 * HeadBytes}) and body scanner ({@link BodyScanner}), fed as a connection feeds them: a cumulation
 * of reads, split anywhere.
 *
 * <ul>
 *   <li>Generated valid requests (methods, origin- and absolute-form targets, header fields with
 *       optional whitespace, CRLF or bare LF, Content-Length and chunked bodies with extensions and
 *       trailers, a pipelined request after) parse to what was generated, whatever the split.
 *   <li>The RFC 9112 rules the parser documents refuse what breaks them: whitespace before a colon,
 *       obsolete line folding, a missing or repeated Host, Content-Length with Transfer-Encoding.
 *   <li>Arbitrary and mutated bytes give a head end or none, and null or an error message, never an
 *       exception; parsing never reads past the input (the head sits in a buffer of exactly its
 *       size, and a parser whose reused array holds other bytes answers the same).
 * </ul>
 *
 * Tries per property come from the subclass: {@link Http1FuzzTest} in every build, {@link
 * Http1FuzzSlowTest} with many more in the slow profile. Seeds are fixed.
 */
abstract class Http1Properties {
  static {
    NettyLeaks.watch();
  }

  @AfterProperty
  void noBufferLeaked() {
    assertThat(NettyLeaks.collect()).as("buffers never released").isEmpty();
  }

  // ---- generated requests -----------------------------------------------------------------------

  /** A field as generated: name as sent, value without its surrounding whitespace. */
  record Field(String name, String value, String before, String after) {
    String line(String eol) {
      return name + ":" + before + value + after + eol;
    }
  }

  /** A request as generated, with the body bytes it frames (as they go on the wire). */
  record Request(
      String method,
      String target,
      String path,
      String origin,
      boolean http11,
      List<Field> fields,
      long contentLength,
      boolean chunked,
      byte[] body,
      String eol) {
    byte[] head() {
      StringBuilder b = new StringBuilder();
      b.append(method).append(' ').append(target).append(' ');
      b.append(http11 ? "HTTP/1.1" : "HTTP/1.0").append(eol);
      fields.forEach(f -> b.append(f.line(eol)));
      b.append(eol);
      return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    byte[] bytes() {
      return concat(head(), body);
    }

    @Override
    public String toString() {
      return new String(bytes(), StandardCharsets.ISO_8859_1);
    }
  }

  static final String TCHARS =
      "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

  static Arbitrary<String> token(int min, int max) {
    return Arbitraries.strings().withChars(TCHARS).ofMinLength(min).ofMaxLength(max);
  }

  /** A field value: visible ASCII, obs-text and inner spaces or tabs, no whitespace at its ends. */
  static Arbitrary<String> fieldValue() {
    Arbitrary<String> inner =
        Arbitraries.strings()
            .withCharRange('!', '~')
            .withCharRange('\u0080', '\u00ff')
            .withChars(' ', '\t')
            .ofMaxLength(40);
    return inner.map(String::strip).map(s -> s.replaceAll("^[ \\t]+|[ \\t]+$", ""));
  }

  static Arbitrary<String> ows() {
    return Arbitraries.of("", "", " ", "  ", "\t", " \t ");
  }

  static Arbitrary<String> segment() {
    return Arbitraries.strings().withChars("abcXYZ019-._~%!$&'()*+,;=:@").ofMaxLength(8);
  }

  static Arbitrary<String> casing(String lower) {
    return Arbitraries.of(lower, lower.toUpperCase(Locale.ROOT), capitalized(lower));
  }

  private static String capitalized(String s) {
    StringBuilder b = new StringBuilder(s);
    for (int i = 0; i < b.length(); i++) {
      if (i == 0 || b.charAt(i - 1) == '-') {
        b.setCharAt(i, Character.toUpperCase(b.charAt(i)));
      }
    }
    return b.toString();
  }

  /** A body in the chunked coding: chunks with extensions, then trailers. */
  static Arbitrary<byte[]> chunkedBody(Arbitrary<String> eol) {
    Arbitrary<String> ext =
        Combinators.combine(
                Arbitraries.of(";", " ;", "\t;"),
                token(1, 6),
                Arbitraries.of("", "=", "="),
                Arbitraries.oneOf(token(0, 6), Arbitraries.of("\"a b;c\"", "\"\\\"q\"")))
            .as((sep, n, eq, v) -> eq.isEmpty() ? sep + n : sep + n + eq + v)
            .list()
            .ofMaxSize(2)
            .map(l -> String.join("", l));
    Arbitrary<byte[]> chunk =
        Combinators.combine(
                Arbitraries.integers().between(1, 700), Arbitraries.of(true, false), ext, eol)
            .as(
                (size, upper, e, nl) -> {
                  String hex = Integer.toHexString(size);
                  ByteArrayOutputStream b = new ByteArrayOutputStream();
                  b.writeBytes(ascii((upper ? hex.toUpperCase(Locale.ROOT) : hex) + e + nl));
                  byte[] data = new byte[size];
                  Arrays.fill(data, (byte) '\n'); // data that looks like line ends
                  b.writeBytes(data);
                  b.writeBytes(ascii(nl));
                  return b.toByteArray();
                });
    Arbitrary<String> trailers =
        Combinators.combine(token(1, 10), fieldValue(), eol)
            .as((n, v, nl) -> n + ": " + v + nl)
            .list()
            .ofMaxSize(3)
            .map(l -> String.join("", l));
    return Combinators.combine(chunk.list().ofMaxSize(4), ext, eol, trailers, eol)
        .as(
            (chunks, lastExt, nl, t, end) -> {
              ByteArrayOutputStream b = new ByteArrayOutputStream();
              chunks.forEach(b::writeBytes);
              b.writeBytes(ascii("0" + lastExt + nl + t + end));
              return b.toByteArray();
            });
  }

  @Provide
  Arbitrary<Request> requests() {
    Arbitrary<String> method =
        Arbitraries.oneOf(
            Arbitraries.of("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"),
            token(1, 10));
    Arbitrary<String> eol = Arbitraries.of("\r\n", "\r\n", "\n");
    Arbitrary<String[]> target =
        Combinators.combine(
                segment().list().ofMinSize(0).ofMaxSize(4),
                Arbitraries.of("", "?", "?a=1&b=/x", "?q"),
                Arbitraries.of("", "", "http://shop", "http://shop:8080", "HTTP://[::1]:80"))
            .as(
                (segments, query, absolute) -> {
                  String path = "/" + String.join("/", segments);
                  if (!absolute.isEmpty() && segments.isEmpty() && query.isEmpty()) {
                    return new String[] {absolute, "/", "/"};
                  }
                  return new String[] {absolute + path + query, path, path + query};
                });
    Arbitrary<Field> other =
        Combinators.combine(token(1, 12), fieldValue(), ows(), ows())
            .as((n, v, b, a) -> new Field("x-f-" + n, v, b, a));
    Arbitrary<Field> routing =
        Combinators.combine(
                Arbitraries.of("x-sidetrack-id", "baggage", "accept", "user-agent")
                    .flatMap(Http1Properties::casing),
                fieldValue(),
                ows(),
                ows())
            .as(Field::new);
    Arbitrary<List<Field>> fields =
        Arbitraries.frequencyOf(Tuple.of(3, other), Tuple.of(1, routing)).list().ofMaxSize(12);
    // framing: 0 none, 1 content-length, 2 chunked (HTTP/1.1 only)
    Arbitrary<Integer> framing = Arbitraries.integers().between(0, 2);
    return Combinators.combine(
            method,
            target,
            Arbitraries.of(true, true, false),
            fields,
            framing,
            Arbitraries.bytes().array(byte[].class).ofMaxSize(500),
            chunkedBody(eol),
            eol)
        .flatAs(
            (m, t, http11, fs, frame, plain, chunked, nl) -> {
              boolean isChunked = frame == 2 && http11;
              long length = frame == 1 ? plain.length : -1;
              Arbitrary<String> host = casing("host");
              Arbitrary<String> framingName =
                  casing(isChunked ? "transfer-encoding" : "content-length");
              return Combinators.combine(
                      host, framingName, Arbitraries.integers().between(0, fs.size()))
                  .as(
                      (hostName, frameName, at) -> {
                        List<Field> all = new ArrayList<>(fs);
                        all.add(at, new Field(hostName, "shop.example:8080", " ", ""));
                        if (isChunked) {
                          all.add(new Field(frameName, "chunked", " ", ""));
                        } else if (length >= 0) {
                          all.add(new Field(frameName, Long.toString(length), "", " "));
                        }
                        byte[] body = isChunked ? chunked : length >= 0 ? plain : new byte[0];
                        return new Request(
                            m, t[0], t[1], t[2], http11, all, length, isChunked, body, nl);
                      });
            });
  }

  // ---- reading as a connection does ------------------------------------------------------------

  /** What the front made of a request's bytes. */
  record Read(int headEnd, String error, Http1Head head, byte[] body, byte[] rest) {}

  /**
   * Feeds {@code bytes} in reads of the given sizes (cycled) into a cumulation, as the front's
   * connection does: finds the end of the head after each read, parses it, then scans the body from
   * what is held and each later read; returns the head, the body bytes and what followed.
   */
  static Read readAsAConnection(byte[] bytes, List<Integer> reads) {
    ByteBuf held = PooledByteBufAllocator.DEFAULT.directBuffer(64);
    try {
      Http1Head head = new Http1Head();
      BodyScanner scanner = new BodyScanner();
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      int headEnd = -1;
      boolean bodyDone = false;
      int at = 0;
      int r = 0;
      while (at < bytes.length && !bodyDone) {
        int n = Math.min(bytes.length - at, reads.get(r++ % reads.size()));
        held.writeBytes(bytes, at, n);
        at += n;
        if (headEnd < 0) {
          int end = Http1Head.findEnd(held, FastFront.MAX_HEAD);
          if (end < 0) {
            continue;
          }
          headEnd = end - held.readerIndex();
          String error = head.parseRequest(held, end);
          if (error != null) {
            return new Read(headEnd, error, head, null, null);
          }
          held.readerIndex(end);
          scanner.reset(
              head.chunked ? BodyScanner.CHUNKED : BodyScanner.LENGTH, head.contentLength);
        }
        int used = scanner.scan(held);
        if (used < 0) {
          return new Read(headEnd, "malformed chunked body", head, null, null);
        }
        byte[] piece = new byte[used];
        held.readBytes(piece);
        body.writeBytes(piece);
        bodyDone = scanner.done();
      }
      if (headEnd < 0 || !bodyDone) {
        return new Read(headEnd, "incomplete", head, null, null);
      }
      byte[] rest = new byte[held.readableBytes() + bytes.length - at];
      held.readBytes(rest, 0, held.readableBytes());
      System.arraycopy(bytes, at, rest, rest.length - (bytes.length - at), bytes.length - at);
      return new Read(headEnd, null, head, body.toByteArray(), rest);
    } finally {
      held.release();
    }
  }

  @Provide
  Arbitrary<List<Integer>> splits() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(1, 3).list().ofMinSize(1).ofMaxSize(8),
        Arbitraries.integers().between(1, 2000).list().ofMinSize(1).ofMaxSize(8),
        Arbitraries.just(List.of(1 << 20)));
  }

  // ---- properties -------------------------------------------------------------------------------

  @Property(seed = "1421")
  void generatedRequestsParseToWhatWasGeneratedWhateverTheSplit(
      @ForAll("requests") Request request, @ForAll("splits") List<Integer> reads) throws Exception {
    byte[] next = ascii("GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
    byte[] bytes = concat(request.bytes(), next);
    Read read = Bounded.call(() -> readAsAConnection(bytes, reads));
    assertThat(read.error()).isNull();
    assertThat(read.headEnd()).isEqualTo(request.head().length);
    Http1Head h = read.head();
    assertThat(h.method()).isEqualTo(request.method());
    assertThat(h.path()).isEqualTo(request.path());
    assertThat(h.http11()).isEqualTo(request.http11());
    assertThat(h.contentLength).isEqualTo(request.contentLength());
    assertThat(h.chunked).isEqualTo(request.chunked());
    Map<String, List<String>> want = new LinkedHashMap<>();
    request
        .fields()
        .forEach(
            f ->
                want.computeIfAbsent(f.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(f.value()));
    want.forEach((name, values) -> assertThat(h.headerValues(name)).as(name).isEqualTo(values));
    assertThat(read.body()).isEqualTo(request.body());
    assertThat(read.rest()).isEqualTo(next);
    ByteBuf line = Unpooled.buffer();
    h.writeStartLine(line, false);
    assertThat(line.toString(StandardCharsets.ISO_8859_1))
        .isEqualTo(request.method() + " " + request.origin() + " HTTP/1.1\r\n");
  }

  /** A rule of RFC 9112 the parser documents, broken in an otherwise valid request. */
  enum Breach {
    SPACE_BEFORE_COLON("malformed header name"),
    OBSOLETE_FOLDING("obsolete line folding"),
    SECOND_HOST("more than one host"),
    LENGTH_WITH_CHUNKED("content-length with transfer-encoding"),
    CONFLICTING_LENGTHS("conflicting content-length"),
    CONTROL_IN_VALUE("malformed header value"),
    SPACE_IN_NAME("malformed header name");

    final String error;

    Breach(String error) {
      this.error = error;
    }
  }

  @Property(seed = "1422")
  void requestsBreakingADocumentedRuleAreRefusedWithItsReason(
      @ForAll("requests") Request request,
      @ForAll Breach breach,
      @ForAll("splits") List<Integer> reads)
      throws Exception {
    // the request without a body and its framing fields, then the breach
    List<Field> fields = new ArrayList<>();
    for (Field f : request.fields()) {
      String n = f.name().toLowerCase(Locale.ROOT);
      if (!n.equals("transfer-encoding") && !n.equals("content-length")) {
        fields.add(f);
      }
    }
    boolean http11 = request.http11();
    String eol = request.eol();
    switch (breach) {
      case SPACE_BEFORE_COLON -> fields.add(0, new Field("x-bad ", "v", "", ""));
      case OBSOLETE_FOLDING -> fields.add(0, new Field("x-fold", "a" + eol + " b", " ", ""));
      case SECOND_HOST -> fields.add(new Field("Host", "other", " ", ""));
      case LENGTH_WITH_CHUNKED -> {
        fields.add(new Field("Content-Length", "0", " ", ""));
        fields.add(new Field("Transfer-Encoding", "chunked", " ", ""));
        http11 = true; // in HTTP/1.0 the transfer coding alone is refused
      }
      case CONFLICTING_LENGTHS -> {
        fields.add(new Field("Content-Length", "1", " ", ""));
        fields.add(new Field("content-length", "2", " ", ""));
      }
      case CONTROL_IN_VALUE -> fields.add(0, new Field("x-ctl", "a\u0001b", " ", ""));
      case SPACE_IN_NAME -> fields.add(0, new Field("x bad", "v", " ", ""));
    }
    Request broken =
        new Request(
            request.method(),
            request.target(),
            request.path(),
            request.origin(),
            http11,
            fields,
            -1,
            false,
            new byte[0],
            eol);
    Read read = Bounded.call(() -> readAsAConnection(broken.head(), reads));
    assertThat(read.error()).as(broken.toString()).isEqualTo(breach.error);
  }

  /** Bytes shaped like heads: pieces of request lines and fields, and anything at all. */
  @Provide
  Arbitrary<byte[]> heads() {
    Arbitrary<String> piece =
        Arbitraries.oneOf(
            Arbitraries.of(
                "GET ",
                "POST ",
                " ",
                "  ",
                "/",
                "/a?b",
                "http://h",
                "http:/",
                "*",
                "HTTP/1.1",
                "HTTP/1.0",
                "HTTP/2.0",
                "HTTP/1.",
                "\r\n",
                "\n",
                "\r",
                "\r\n\r\n",
                ":",
                ": ",
                "Host",
                "host: a",
                "Host: [::1]:8",
                "Content-Length",
                "content-length: 12",
                "content-length: 99999999999999999999",
                "Transfer-Encoding",
                "chunked",
                "transfer-encoding: gzip, chunked",
                "Connection: close, x-a",
                "x-a: 1",
                "baggage: k=v",
                "\t",
                ",",
                "\u0000",
                "\u007f",
                "\u00ff"),
            Arbitraries.strings().ofMaxLength(6).map(s -> s));
    Arbitrary<byte[]> shaped =
        piece
            .list()
            .ofMaxSize(40)
            .map(l -> String.join("", l).getBytes(StandardCharsets.ISO_8859_1));
    return Arbitraries.frequencyOf(
        Tuple.of(4, shaped),
        Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(200)),
        Tuple.of(
            2,
            requests()
                .map(r -> r.head())
                .flatMap(
                    h ->
                        Arbitraries.integers()
                            .between(0, h.length - 1)
                            .list()
                            .ofMaxSize(3)
                            .flatMap(
                                at ->
                                    Arbitraries.bytes()
                                        .list()
                                        .ofSize(at.size())
                                        .map(
                                            b -> {
                                              byte[] m = h.clone();
                                              for (int i = 0; i < at.size(); i++) {
                                                m[at.get(i)] = b.get(i);
                                              }
                                              return m;
                                            })))));
  }

  /** The outcome of parsing a head, in a form {@code equals} compares. */
  static List<Object> outcome(Http1Head h, String error) {
    if (error != null) {
      return List.of(error);
    }
    List<Object> o = new ArrayList<>();
    o.add(h.length);
    o.add(h.count);
    o.add(h.contentLength);
    o.add(h.chunked);
    o.add(h.transferEncoding);
    o.add(h.close);
    o.add(h.minor);
    o.add(h.status);
    o.add(h.seen);
    o.add(Arrays.toString(Arrays.copyOf(h.f, 4 * h.count)));
    o.add(Arrays.toString(Arrays.copyOf(h.kinds, h.count)));
    return o;
  }

  static final Set<Byte> FILLERS = Set.of((byte) '\n', (byte) ' ', (byte) ':', (byte) 'a');

  /**
   * Any bytes: a head end inside the input or none, then null or an error message, never an
   * exception; the head in a buffer of exactly its size (so a read past it throws), and the answer
   * the same from a parser whose reused array holds other bytes past the head.
   */
  @Property(seed = "1423")
  void anyBytesGiveAnEndOrNoneAndAVerdictNeverAnException(@ForAll("heads") byte[] bytes)
      throws Exception {
    ByteBuf exact = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    ByteBuf buf = exact.slice(0, bytes.length); // capacity is the input: no reading past it
    try {
      Bounded.run(
          () -> {
            int end = Http1Head.findEnd(buf, FastFront.MAX_HEAD);
            assertThat(end == -1 || end >= 1 && end <= bytes.length).as("end %d", end).isTrue();
            if (end < 0) {
              return;
            }
            for (boolean response : new boolean[] {false, true}) {
              Http1Head fresh = new Http1Head();
              String error = parse(fresh, buf, end, response);
              List<Object> first = outcome(fresh, error);
              for (byte filler : FILLERS) {
                Http1Head reused = new Http1Head();
                reused.bytes = new byte[Math.max(1024, 2 * end)];
                Arrays.fill(reused.bytes, filler);
                assertThat(outcome(reused, parse(reused, buf, end, response)))
                    .as("with %s past the head", (char) filler)
                    .isEqualTo(first);
              }
              if (error == null && !response) {
                fresh.method();
                fresh.path();
                fresh.headerValues("x-sidetrack-id");
                ByteBuf out = Unpooled.buffer();
                fresh.writeStartLine(out, false);
                for (int i = 0; i < fresh.count; i++) {
                  fresh.writeField(out, i);
                }
              }
            }
          });
    } finally {
      exact.release();
    }
  }

  private static String parse(Http1Head h, ByteBuf buf, int end, boolean response) {
    String error = response ? h.parseResponse(buf, end) : h.parseRequest(buf, end);
    assertThat(error).satisfiesAnyOf(e -> assertThat(e).isNull(), e -> assertThat(e).isNotBlank());
    return error;
  }

  /** Chunked bodies as generated, mutated, or anything: the same verdict whatever the split. */
  @Provide
  Arbitrary<byte[]> chunkedBodies() {
    Arbitrary<byte[]> valid = chunkedBody(Arbitraries.of("\r\n", "\n"));
    Arbitrary<byte[]> mutated =
        Combinators.combine(
                valid.filter(b -> b.length > 0),
                Arbitraries.integers().between(0, 1 << 20),
                Arbitraries.of(
                    (byte) 'g',
                    (byte) ';',
                    (byte) '\r',
                    (byte) '\n',
                    (byte) ' ',
                    (byte) 'F',
                    (byte) 0))
            .as(
                (b, at, with) -> {
                  byte[] m = b.clone();
                  m[at % m.length] = with;
                  return m;
                });
    Arbitrary<byte[]> hexLies =
        Arbitraries.strings()
            .withChars("0123456789abcdefABCDEF")
            .ofMinLength(1)
            .ofMaxLength(40)
            .map(h -> ascii(h + "\r\nxyz\r\n0\r\n\r\n"));
    return Arbitraries.frequencyOf(
        Tuple.of(2, valid),
        Tuple.of(3, mutated),
        Tuple.of(1, hexLies),
        Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(100)));
  }

  @Property(seed = "1424")
  void aChunkedBodyGetsTheSameVerdictWhateverTheSplit(
      @ForAll("chunkedBodies") byte[] body,
      @ForAll("splits") List<Integer> reads,
      @ForAll @Size(max = 30) byte[] after)
      throws Exception {
    byte[] bytes = concat(body, after);
    List<Object> whole = Bounded.call(() -> scanInPieces(bytes, List.of(bytes.length + 1)));
    List<Object> split = Bounded.call(() -> scanInPieces(bytes, reads));
    assertThat(split).isEqualTo(whole);
  }

  /** The body's length as the scanner finds it, or -1 for malformed, -2 for not ended. */
  static List<Object> scanInPieces(byte[] bytes, List<Integer> reads) {
    BodyScanner s = new BodyScanner();
    s.reset(BodyScanner.CHUNKED, -1);
    long consumed = 0;
    int r = 0;
    for (int at = 0; at < bytes.length && !s.done(); ) {
      int n = Math.min(bytes.length - at, Math.max(1, reads.get(r++ % reads.size())));
      ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(n).writeBytes(bytes, at, n);
      try {
        int used = s.scan(buf.slice(0, n));
        if (used < 0) {
          return List.of(-1L);
        }
        assertThat(used).isBetween(0, n);
        consumed += used;
        at += n;
        if (used < n) {
          assertThat(s.done()).as("stopped short of its input").isTrue();
        }
      } finally {
        buf.release();
      }
    }
    return List.of(s.done() ? consumed : -2L);
  }

  /** Where a bare CR goes into a chunked body: its framing, never its data. */
  enum BareCr {
    SIZE_LINE_EXTENSION,
    LAST_CHUNK_EXTENSION,
    TRAILER_VALUE
  }

  /**
   * A bare CR in the framing of a chunked body (RFC 9112 section 2.2: invalid) is refused, wherever
   * it is and whatever follows it, so that no next hop can read the body's end elsewhere.
   */
  @Property(seed = "1426")
  void aBareCrInAChunkedBodysFramingIsRefused(
      @ForAll BareCr where,
      @ForAll("tokens") String before,
      @ForAll("tokens") String after,
      @ForAll @IntRange(min = 1, max = 300) int size,
      @ForAll("splits") List<Integer> reads)
      throws Exception {
    String bare = before + "\r" + after;
    String data = Integer.toHexString(size) + "\r\n" + "x".repeat(size) + "\r\n";
    String body =
        switch (where) {
          case SIZE_LINE_EXTENSION ->
              Integer.toHexString(size) + ";" + bare + "\r\n" + "x".repeat(size) + "\r\n0\r\n\r\n";
          case LAST_CHUNK_EXTENSION -> data + "0;" + bare + "\r\n\r\n";
          case TRAILER_VALUE -> data + "0\r\nx-t: " + bare + "\r\n\r\n";
        };
    byte[] bytes = concat(ascii(body), ascii("GET /next HTTP/1.1\r\nHost: a\r\n\r\n"));
    assertThat(Bounded.call(() -> scanInPieces(bytes, reads))).isEqualTo(List.of(-1L));
  }

  @Provide
  Arbitrary<String> tokens() {
    return Arbitraries.oneOf(token(0, 8), Arbitraries.of("", "\r", " ", "=\"a"));
  }

  @Property(seed = "1425")
  void aLengthBodyEndsAfterItsLengthWhateverTheSplit(
      @ForAll @IntRange(min = 0, max = 5000) int length,
      @ForAll("splits") List<Integer> reads,
      @ForAll @Size(max = 30) byte[] after)
      throws Exception {
    byte[] bytes = concat(new byte[length], after);
    BodyScanner s = new BodyScanner();
    s.reset(BodyScanner.LENGTH, length);
    long consumed = 0;
    int r = 0;
    for (int at = 0; at < bytes.length && !s.done(); ) {
      int n = Math.min(bytes.length - at, reads.get(r++ % reads.size()));
      int used = s.scan(Unpooled.wrappedBuffer(bytes, at, n));
      assertThat(used).isBetween(0, n);
      consumed += used;
      at += n;
    }
    assertThat(s.done()).isTrue();
    assertThat(consumed).isEqualTo(length);
  }

  // ---- bytes ------------------------------------------------------------------------------------

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
