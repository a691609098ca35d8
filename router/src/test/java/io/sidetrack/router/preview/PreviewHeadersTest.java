package io.sidetrack.router.preview;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreviewHeadersTest {
  private static MultiMap headers(String... nameValues) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < nameValues.length; i += 2) {
      m.add(nameValues[i], nameValues[i + 1]);
    }
    return m;
  }

  @Test
  void theInterceptsHeaderIsAddedAndReplacesTheVisitorsCopy() {
    MultiMap out =
        PreviewHeaders.forUpstream(
            headers("X-Sidetrack-Id", "mallory", "x-sidetrack-id", "eve", "accept", "*/*"),
            false,
            "x-sidetrack-id",
            "alice");
    assertThat(out.getAll("x-sidetrack-id")).containsExactly("alice");
    assertThat(out.get("accept")).isEqualTo("*/*");
  }

  @Test
  void theBaggageMemberIsAddedToAnExistingFieldReplacingItsOwnKeyOnly() {
    MultiMap out =
        PreviewHeaders.forUpstream(
            headers("baggage", "tenant=t1;prop=1, sidetrack-id=eve", "baggage", "region=eu"),
            false,
            "x-sidetrack-id",
            "alice");
    assertThat(out.getAll("baggage"))
        .containsExactly("tenant=t1;prop=1,region=eu,sidetrack-id=alice");
  }

  @Test
  void withoutBaggageTheMemberIsTheWholeField() {
    MultiMap out = PreviewHeaders.forUpstream(headers(), false, "x-sidetrack-id", "alice");
    assertThat(out.get("baggage")).isEqualTo("sidetrack-id=alice");
  }

  @Test
  void aBaggageValueIsPercentEncodedWhereW3cBaggageForbidsItsCharacters() {
    assertThat(PreviewHeaders.withBaggageMember(List.of(), "k", "a b,c;d%é"))
        .isEqualTo("k=a%20b%2Cc%3Bd%25%C3%A9");
    assertThat(PreviewHeaders.withBaggageMember(List.of(), "k", "alice@example.com-1_2.3"))
        .isEqualTo("k=alice@example.com-1_2.3");
  }

  @Test
  void theSignInCookieNeverGoesUpstreamButTheAppsCookiesDo() {
    MultiMap out =
        PreviewHeaders.forUpstream(
            headers("cookie", "a=1; sidetrack-preview=secret", "cookie", "b=2"),
            false,
            "x-sidetrack-id",
            "alice");
    assertThat(out.getAll("cookie")).containsExactly("a=1; b=2");
    MultiMap only =
        PreviewHeaders.forUpstream(
            headers("cookie", "sidetrack-preview=secret"), false, "x-sidetrack-id", "alice");
    assertThat(only.contains("cookie")).isFalse();
  }

  @Test
  void hopByHopFieldsStayHereAndHostGoesAsTheAuthority() {
    MultiMap out =
        PreviewHeaders.forUpstream(
            headers(
                "host", "abc.preview.localhost:1",
                "connection", "keep-alive, x-private",
                "x-private", "1",
                "keep-alive", "timeout=5",
                "te", "trailers",
                "expect", "100-continue",
                "x-end-to-end", "yes"),
            false,
            "x-sidetrack-id",
            "alice");
    assertThat(out.names()).containsExactlyInAnyOrder("x-end-to-end", "x-sidetrack-id", "baggage");
  }

  @Test
  void anUpgradeKeepsItsHandshake() {
    MultiMap out =
        PreviewHeaders.forUpstream(
            headers(
                "connection", "Upgrade",
                "upgrade", "websocket",
                "sec-websocket-key", "k"),
            true,
            "x-sidetrack-id",
            "alice");
    assertThat(out.get("upgrade")).isEqualTo("websocket");
    assertThat(out.get("connection")).isEqualTo("Upgrade");
    assertThat(out.get("sec-websocket-key")).isEqualTo("k");
  }

  @Test
  void theCookieIsHttpOnlyLaxHostOnlyAndSecureOnlyWithTls() {
    assertThat(PreviewCookie.set("v", false))
        .isEqualTo("sidetrack-preview=v; Path=/; HttpOnly; SameSite=Lax")
        .doesNotContainIgnoringCase("domain");
    assertThat(PreviewCookie.set("v", true)).endsWith("; Secure");
    assertThat(PreviewCookie.values(List.of("a=1; sidetrack-preview=x", "sidetrack-preview=y")))
        .containsExactly("x", "y");
  }
}
