package io.sidetrack.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sidetrack.core.baggage.BaggageBridge;
import io.sidetrack.core.http.HopByHop;
import io.sidetrack.edge.dispatch.FallbackReason;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Head rewriting as bytes in, bytes out: no channels. */
class HeadRewriterTest {
  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  private static Http1Head request(String head) {
    Http1Head h = new Http1Head();
    ByteBuf in = bytes(head);
    assertThat(h.parseRequest(in, Http1Head.findEnd(in, 16 * 1024))).isNull();
    return h;
  }

  private static Http1Head answer(String head) {
    Http1Head h = new Http1Head();
    ByteBuf in = bytes(head);
    assertThat(h.parseResponse(in, Http1Head.findEnd(in, 16 * 1024))).isNull();
    return h;
  }

  private static String text(ByteBuf out) {
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void aRequestForTheAppLosesHopByHopAndRelayFieldsAndGainsForwardingOnes() {
    Http1Head h =
        request(
            "GET /a HTTP/1.1\r\nHost: shop\r\nConnection: x-drop\r\nX-Drop: 1\r\nKeep-Alive: 5\r\n"
                + "sidetrack-intercept-id: forged\r\nX-Forwarded-For: 10.0.0.1\r\nX-Keep: k\r\n\r\n");
    ByteBuf out = Unpooled.buffer();
    HeadRewriter.nextHopRequest(out, h, new ClientForwarding("192.0.2.7", true), null, null, null);
    assertThat(text(out))
        .isEqualTo(
            "GET /a HTTP/1.1\r\nHost: shop\r\nX-Keep: k\r\n"
                + "x-forwarded-for: 10.0.0.1, 192.0.2.7\r\nx-forwarded-host: shop\r\n"
                + "x-forwarded-proto: http\r\nforwarded: for=192.0.2.7;host=shop;proto=http\r\n\r\n");
  }

  @Test
  void anUntrustedClientsForwardingFieldsAreReplacedNotExtended() {
    Http1Head h =
        request(
            "GET /a HTTP/1.1\r\nHost: shop\r\nX-Forwarded-For: 10.0.0.1\r\n"
                + "X-Forwarded-Host: evil\r\nX-Forwarded-Proto: https\r\n"
                + "Forwarded: for=10.0.0.1\r\nX-Keep: k\r\n\r\n");
    ByteBuf out = Unpooled.buffer();
    HeadRewriter.nextHopRequest(out, h, new ClientForwarding("192.0.2.7", false), null, null, null);
    assertThat(text(out))
        .isEqualTo(
            "GET /a HTTP/1.1\r\nHost: shop\r\nX-Keep: k\r\n"
                + "x-forwarded-for: 192.0.2.7\r\nx-forwarded-host: shop\r\n"
                + "x-forwarded-proto: http\r\nforwarded: for=192.0.2.7;host=shop;proto=http\r\n\r\n");
  }

  @Test
  void aRequestForARouterNamesItsInterceptAndWorkload() {
    Http1Head h = request("GET / HTTP/1.1\r\nHost: shop\r\n\r\n");
    ByteBuf out = Unpooled.buffer();
    HeadRewriter.nextHopRequest(
        out, h, new ClientForwarding("192.0.2.7", true), "i-1", Http1Head.ascii("shop"), null);
    assertThat(text(out))
        .endsWith("sidetrack-intercept-id: i-1\r\nsidetrack-workload: shop\r\n\r\n");
  }

  /** The head as it goes on with {@code id} bridged the way the front does it. */
  private static String bridged(String head, String id) {
    Http1Head h = request(head);
    BaggageBridge.Merge merge = BaggageBridge.merge(h.values(Http1Head.BAGGAGE), id, 1024);
    ByteBuf out = Unpooled.buffer();
    HeadRewriter.nextHopRequest(out, h, new ClientForwarding("192.0.2.7", true), null, null, merge);
    return text(out);
  }

  @Test
  void aBridgedMemberEndsTheLastBaggageFieldAndEveryOtherFieldGoesOnAsItCame() {
    assertThat(
            bridged(
                "GET / HTTP/1.1\r\nHost: shop\r\nbaggage: a=1;p\r\nx-sidetrack-id: bob\r\n"
                    + "Baggage:  b = 2 ;q \r\nX-After: z\r\n\r\n",
                "bob"))
        .startsWith(
            "GET / HTTP/1.1\r\nHost: shop\r\nbaggage: a=1;p\r\nx-sidetrack-id: bob\r\n"
                + "Baggage:  b = 2 ;q,sidetrack-id=bob\r\nX-After: z\r\nx-forwarded-for: ");
  }

  @Test
  void aRequestWithoutBaggageGetsABaggageFieldOfItsOwnAfterItsFields() {
    assertThat(bridged("GET / HTTP/1.1\r\nHost: shop\r\nX-A: 1\r\n\r\n", "a b,c;d=\u00e9"))
        .startsWith(
            "GET / HTTP/1.1\r\nHost: shop\r\nX-A: 1\r\n"
                + "baggage: sidetrack-id=a%20b%2Cc%3Bd=%C3%A9\r\nx-forwarded-for: ");
  }

  @Test
  void aRequestThatCarriesTheMemberGoesOnUnchanged() {
    String head = "GET / HTTP/1.1\r\nHost: shop\r\nbaggage: sidetrack-id=zed, a=1\r\n\r\n";
    Http1Head h = request(head);
    assertThat(BaggageBridge.merge(h.values(Http1Head.BAGGAGE), "bob", 1024).added()).isFalse();
    assertThat(bridged(head, "bob"))
        .contains("baggage: sidetrack-id=zed, a=1\r\n")
        .doesNotContain("bob");
  }

  @Test
  void aBaggageFieldTheConnectionNamesStaysOnItsHopAndTheMemberGetsAFieldOfItsOwn() {
    Http1Head h =
        request("GET / HTTP/1.1\r\nHost: shop\r\nConnection: baggage\r\nbaggage: hop=1\r\n\r\n");
    assertThat(h.values(Http1Head.BAGGAGE)).isEmpty();
    assertThat(
            bridged(
                "GET / HTTP/1.1\r\nHost: shop\r\nConnection: baggage\r\nbaggage: hop=1\r\n\r\n",
                "bob"))
        .contains("baggage: sidetrack-id=bob\r\n")
        .doesNotContain("hop=1");
  }

  @Test
  void theIdHeaderAndBaggageAreKnownWithoutDecodingAnyValue() {
    Http1Head h =
        request("GET / HTTP/1.1\r\nHost: shop\r\nX-Sidetrack-Id: bob\r\nBAGGAGE: a=1\r\n\r\n");
    assertThat(h.has(Http1Head.SIDETRACK_ID)).isTrue();
    assertThat(h.values(Http1Head.BAGGAGE)).containsExactly("a=1");
    assertThat(
            request("GET / HTTP/1.1\r\nHost: shop\r\nx-sidetrack-idx: b\r\n\r\n")
                .has(Http1Head.SIDETRACK_ID))
        .isFalse();
  }

  @Test
  void anAnswerLosesHopByHopFieldsAndSaysWhyItFellBackAndThatTheConnectionCloses() {
    Http1Head h =
        answer(
            "HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Hop\r\nX-Hop: h\r\nKeep-Alive: 5\r\n"
                + "Content-Length: 2\r\nX-End: e\r\n\r\n");
    ByteBuf out = Unpooled.buffer();
    HeadRewriter.clientAnswer(out, h, FallbackReason.NO_TUNNEL, true);
    assertThat(text(out))
        .isEqualTo(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-End: e\r\n"
                + "sidetrack-fallback: no-tunnel\r\nconnection: close\r\n\r\n");
  }

  /**
   * Every field {@link HopByHop} names stays on its hop both ways, but {@code Transfer-Encoding}
   * (the front relays a body in the framing it came in).
   */
  @Test
  void theFieldsHopByHopNamesStayOnTheirHop() {
    for (String name : HopByHop.FIELDS) {
      if (name.equals("transfer-encoding")) {
        continue;
      }
      ByteBuf request = Unpooled.buffer();
      HeadRewriter.nextHopRequest(
          request,
          request("GET / HTTP/1.1\r\nHost: shop\r\n" + name + ": x\r\n\r\n"),
          new ClientForwarding("192.0.2.7", true),
          null,
          null,
          null);
      assertThat(text(request)).as(name).doesNotContainIgnoringCase(name + ":");
      ByteBuf answer = Unpooled.buffer();
      HeadRewriter.clientAnswer(
          answer, answer("HTTP/1.1 204 No Content\r\n" + name + ": x\r\n\r\n"), null, false);
      assertThat(text(answer)).as(name).doesNotContainIgnoringCase(name + ":");
    }
  }
}
