package io.sidetrack.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Http1HeadTest {
  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  private static Http1Head request(String text) {
    ByteBuf buf = bytes(text);
    int end = Http1Head.findEnd(buf, 16 * 1024);
    assertThat(end).as("end of head").isPositive();
    Http1Head h = new Http1Head();
    assertThat(h.parseRequest(buf, end)).isNull();
    return h;
  }

  private static String requestError(String text) {
    ByteBuf buf = bytes(text);
    return new Http1Head().parseRequest(buf, Http1Head.findEnd(buf, 16 * 1024));
  }

  @Test
  void findsTheEndOfAHeadWithCrlfOrBareLf() {
    assertThat(Http1Head.findEnd(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\nBODY"), 1024))
        .isEqualTo(27);
    assertThat(Http1Head.findEnd(bytes("GET / HTTP/1.1\nHost: a\n\nBODY"), 1024)).isEqualTo(24);
    assertThat(Http1Head.findEnd(bytes("GET / HTTP/1.1\r\nHost: a\r\n"), 1024)).isEqualTo(-1);
    // not within the limit: no end
    assertThat(Http1Head.findEnd(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 20)).isEqualTo(-1);
  }

  @Test
  void readsWhatRoutingAsksForWithoutDecodingTheRest() {
    Http1Head h =
        request(
            "POST /orders/1?x=1 HTTP/1.1\r\nHost: shop\r\nX-Sidetrack-Id: alice\r\n"
                + "x-sidetrack-id:  bob \r\nbaggage: a=1\r\nContent-Length: 5\r\n\r\n");
    assertThat(h.method()).isEqualTo("POST");
    assertThat(h.path()).isEqualTo("/orders/1");
    assertThat(h.headerValues("x-sidetrack-id")).containsExactly("alice", "bob");
    assertThat(h.headerValues("baggage")).containsExactly("a=1");
    assertThat(h.headerValues("absent")).isEmpty();
    assertThat(h.contentLength).isEqualTo(5);
    assertThat(h.chunked).isFalse();
    assertThat(h.http11()).isTrue();
    assertThat(h.close).isFalse();
  }

  @Test
  void pathOfAnAbsoluteFormTarget() {
    assertThat(request("GET http://shop:8080/a/b?q HTTP/1.1\r\nHost: shop\r\n\r\n").path())
        .isEqualTo("/a/b");
    assertThat(request("GET http://shop HTTP/1.1\r\nHost: shop\r\n\r\n").path()).isEqualTo("/");
    assertThat(request("OPTIONS * HTTP/1.1\r\nHost: shop\r\n\r\n").path()).isEqualTo("/");
  }

  @Test
  void classifiesFramingAndHopByHopFields() {
    Http1Head h =
        request(
            "GET / HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\nHost: a\r\n"
                + "Connection: keep-alive, X-Secret, close\r\nX-Secret: s\r\nKeep-Alive: 5\r\n"
                + "TE: trailers\r\nsidetrack-intercept-id: forged\r\nAccept: */*\r\n\r\n");
    assertThat(h.chunked).isTrue();
    assertThat(h.close).isTrue();
    assertThat(h.kinds[0]).isEqualTo(Http1Head.TRANSFER_ENCODING);
    assertThat(h.kinds[1]).isEqualTo(Http1Head.HOST);
    assertThat(h.kinds[2]).isEqualTo(Http1Head.CONNECTION);
    assertThat(h.kinds[3]).isEqualTo(Http1Head.NAMED_BY_CONNECTION);
    assertThat(h.kinds[4]).isEqualTo(Http1Head.HOP);
    assertThat(h.kinds[5]).isEqualTo(Http1Head.HOP);
    assertThat(h.kinds[6]).isEqualTo(Http1Head.RELAY);
    assertThat(h.kinds[7]).isEqualTo(Http1Head.OTHER);
    assertThat(
            requestError("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"))
        .contains("chunked not the last");
  }

  @Test
  void versionsOtherThanHttp11AreNotHttp11() {
    assertThat(request("GET / HTTP/1.0\r\n\r\n").minor).isEqualTo(0);
    assertThat(request("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").http11()).isFalse();
  }

  @Test
  void acceptsObsTextInFieldValuesAndTargets() {
    // RFC 9110 section 5.5: field values may hold obs-text (0x80-0xFF); RFC 9112 section 3.2
    // leaves the target's bytes to the origin, and nginx passes both on
    Http1Head h =
        request("GET /caf\u00e9?q=\u00ff HTTP/1.1\r\nHost: a\r\nX-Name: Jos\u00c3\u00a9\r\n\r\n");
    assertThat(h.value(1)).isEqualTo("Jos\u00c3\u00a9");
    assertThat(h.headerValues("x-name")).containsExactly("Jos\u00c3\u00a9");
    assertThat(h.path()).isEqualTo("/caf\u00e9");
    // every byte from 0x80 on, in one value
    StringBuilder high = new StringBuilder();
    for (char c = 0x80; c <= 0xff; c++) {
      high.append(c);
    }
    assertThat(request("GET / HTTP/1.1\r\nHost: a\r\nX-High: " + high + "\r\n\r\n").value(1))
        .isEqualTo(high.toString());
  }

  @Test
  void refusesWhatCannotBeFramedSafely() {
    assertThat(requestError("GET /x HTTP/1.1\r\nHo st: bad\r\n\r\n")).contains("header name");
    assertThat(requestError("GET /x HTTP/1.1\r\nHost : bad\r\n\r\n")).contains("header name");
    assertThat(requestError("GET /x HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n")).contains("folding");
    assertThat(requestError("GET /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"))
        .contains("conflicting");
    assertThat(requestError("GET /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n"))
        .contains("content-length");
    assertThat(requestError("GET /x HTTP/1.1\r\nA: b\u0000c\r\n\r\n")).contains("header value");
    assertThat(requestError("GET  HTTP/1.1\r\n\r\n")).contains("request line");
    assertThat(requestError("GET / HTTX/1.1\r\n\r\n")).contains("version");
    assertThat(requestError("G(T / HTTP/1.1\r\n\r\n")).contains("method");
    // the same length twice is refused too (RFC 9110 section 8.6 allows it; nginx does)
    assertThat(requestError("GET /x HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n"))
        .contains("repeated content-length");
  }

  @Test
  void refusesWhatRfc9112AsksOfARequestBeyondItsSyntax() {
    assertThat(requestError("GET / HTTP/1.1\r\nX-A: 1\r\n\r\n")).isEqualTo("missing host");
    assertThat(requestError("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"))
        .isEqualTo("more than one host");
    for (String bad : new String[] {"", "a/b", "a b", "a@b", "caf\u00e9"}) {
      assertThat(requestError("GET / HTTP/1.1\r\nHost: " + bad + "\r\n\r\n"))
          .as(bad)
          .isEqualTo("malformed host");
    }
    assertThat(requestError("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n")).isNull();
    assertThat(requestError("GET / HTTP/1.0\r\n\r\n")).isNull();
    assertThat(
            requestError(
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"))
        .contains("content-length with transfer-encoding");
    assertThat(requestError("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"))
        .contains("HTTP/1.0");
    assertThat(
            requestError(
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"))
        .contains("chunked not the last");
    // the HTTP/2 preface is no HTTP/1.1 request: it needs no Host
    assertThat(requestError("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")).isNull();
  }

  @Test
  void writesTheRequestLineInOriginFormWithSingleSpacesAndHttp11() {
    assertThat(startLine("GET /a?b HTTP/1.1")).isEqualTo("GET /a?b HTTP/1.1\r\n");
    assertThat(startLine("GET   /a   HTTP/1.1  ")).isEqualTo("GET /a HTTP/1.1\r\n");
    assertThat(startLine("GET http://shop:8080/a?q HTTP/1.1")).isEqualTo("GET /a?q HTTP/1.1\r\n");
    assertThat(startLine("GET http://shop HTTP/1.1")).isEqualTo("GET / HTTP/1.1\r\n");
    assertThat(startLine("GET http://shop?q HTTP/1.1")).isEqualTo("GET /?q HTTP/1.1\r\n");
    assertThat(startLine("OPTIONS * HTTP/1.1")).isEqualTo("OPTIONS * HTTP/1.1\r\n");
    // a higher HTTP/1 minor version is taken as 1.1 (RFC 9110 section 6.2)
    assertThat(startLine("GET / HTTP/1.2")).isEqualTo("GET / HTTP/1.1\r\n");
    assertThat(request("GET / HTTP/1.2\r\nHost: a\r\n\r\n").http11()).isTrue();
    assertThat(requestError("GET\t/\tHTTP/1.1\r\nHost: a\r\n\r\n")).isNotNull();
  }

  private static String startLine(String line) {
    Http1Head h = request(line + "\r\nHost: shop\r\n\r\n");
    ByteBuf out = Unpooled.buffer();
    h.writeStartLine(out, false);
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void writesTheHeadAsItCameAndTheStatusLineAsHttp11() {
    ByteBuf buf = bytes("HTTP/1.0 404 Not Found\nServer: x\nContent-Length:0\n\n");
    Http1Head h = new Http1Head();
    assertThat(h.parseResponse(buf, Http1Head.findEnd(buf, 1024))).isNull();
    assertThat(h.status).isEqualTo(404);
    assertThat(h.http11()).isFalse();
    ByteBuf out = Unpooled.buffer();
    h.writeStartLine(out, true);
    for (int i = 0; i < h.count; i++) {
      h.writeField(out, i);
    }
    assertThat(out.toString(StandardCharsets.ISO_8859_1))
        .isEqualTo("HTTP/1.1 404 Not Found\r\nServer: x\r\nContent-Length:0\r\n");
  }

  @Test
  void refusesAMalformedStatusLine() {
    ByteBuf buf = bytes("HTTP/1.1 2x0 OK\r\n\r\n");
    assertThat(new Http1Head().parseResponse(buf, Http1Head.findEnd(buf, 1024))).contains("status");
  }
}
