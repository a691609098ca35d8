package io.sidetrack.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

class ForwardHeadersTest {
  @Test
  void dropsHopByHopFieldsAndThoseConnectionNames() {
    MultiMap in =
        MultiMap.caseInsensitiveMultiMap()
            .add("Connection", "keep-alive, X-Secret")
            .add("Keep-Alive", "timeout=5")
            .add("Transfer-Encoding", "chunked")
            .add("X-Secret", "s")
            .add("TE", "trailers")
            .add("Host", "shop")
            .add("Accept", "text/plain")
            .add("x-sidetrack-id", "alice")
            .add("x-sidetrack-id", "bob");
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    ForwardHeaders.copyEndToEnd(in, out, false);
    assertThat(out.names()).containsExactlyInAnyOrder("Accept", "x-sidetrack-id");
    assertThat(out.getAll("x-sidetrack-id")).containsExactly("alice", "bob");
  }

  @Test
  void keepsTheUpgradeHandshakeWhenAsked() {
    MultiMap in =
        MultiMap.caseInsensitiveMultiMap()
            .add("Connection", "Upgrade")
            .add("Upgrade", "websocket")
            .add("Sec-WebSocket-Key", "k");
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    ForwardHeaders.copyEndToEnd(in, out, true);
    assertThat(out.get("upgrade")).isEqualTo("websocket");
    assertThat(out.get("connection")).isEqualTo("upgrade");
    assertThat(out.get("sec-websocket-key")).isEqualTo("k");
  }

  @Test
  void appendsToForwardedChains() {
    MultiMap out =
        MultiMap.caseInsensitiveMultiMap()
            .add("X-Forwarded-For", "10.0.0.1")
            .add("Forwarded", "for=10.0.0.1");
    ForwardHeaders.addForwarded(out, "10.0.0.2", "shop:8080", "http");
    assertThat(out.get("x-forwarded-for")).isEqualTo("10.0.0.1, 10.0.0.2");
    assertThat(out.get("x-forwarded-host")).isEqualTo("shop:8080");
    assertThat(out.get("x-forwarded-proto")).isEqualTo("http");
    assertThat(out.get("forwarded"))
        .isEqualTo("for=10.0.0.1, for=10.0.0.2;host=\"shop:8080\";proto=http");
  }

  @Test
  void forwardedHostWithDelimitersIsQuotedSoItCannotForgeElements() {
    assertThat(ForwardHeaders.forwardedElement("10.0.0.2", "a,for=evil;by=x", "http"))
        .isEqualTo("for=10.0.0.2;host=\"a,for=evil;by=x\";proto=http");
    assertThat(ForwardHeaders.forwardedElement("10.0.0.2", "a=b", "http"))
        .isEqualTo("for=10.0.0.2;host=\"a=b\";proto=http");
  }

  @Test
  void forwardedQuotedStringEscapesQuoteAndBackslash() {
    assertThat(ForwardHeaders.forwardedElement("10.0.0.2", "a\"b\\c", "http"))
        .isEqualTo("for=10.0.0.2;host=\"a\\\"b\\\\c\";proto=http");
  }

  @Test
  void forwardedIpv6ClientIsBracketedAndQuoted() {
    assertThat(ForwardHeaders.forwardedElement("2001:db8::1", null, "http"))
        .isEqualTo("for=\"[2001:db8::1]\";proto=http");
    assertThat(ForwardHeaders.forwardedElement("[2001:db8::1]", null, "http"))
        .isEqualTo("for=\"[2001:db8::1]\";proto=http");
  }

  @Test
  void forwardedTokenValuesStayBare() {
    assertThat(ForwardHeaders.forwardedElement("192.0.2.43", "shop", "https"))
        .isEqualTo("for=192.0.2.43;host=shop;proto=https");
  }

  @Test
  void teTrailersReachesAnHttp2UpstreamButOtherTeDoesNot() {
    MultiMap in = MultiMap.caseInsensitiveMultiMap().add("TE", "trailers").add("Accept", "*/*");
    MultiMap h2 = MultiMap.caseInsensitiveMultiMap();
    ForwardHeaders.copyEndToEnd(in, h2, false, true);
    assertThat(h2.get("te")).isEqualTo("trailers");
    MultiMap gzip = MultiMap.caseInsensitiveMultiMap();
    ForwardHeaders.copyEndToEnd(
        MultiMap.caseInsensitiveMultiMap().add("TE", "gzip"), gzip, false, true);
    assertThat(gzip.contains("te")).isFalse();
  }

  @Test
  void trailerFieldIsEndToEnd() {
    MultiMap in = MultiMap.caseInsensitiveMultiMap().add("Trailer", "x-checksum");
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    ForwardHeaders.copyEndToEnd(in, out, false);
    assertThat(out.get("trailer")).isEqualTo("x-checksum");
  }
}
