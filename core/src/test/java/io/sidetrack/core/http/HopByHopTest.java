package io.sidetrack.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HopByHopTest {
  @Test
  void rfc9110FieldsStayOnTheirHopInAnyCase() {
    for (String name : List.of("Connection", "KEEP-ALIVE", "te", "Transfer-Encoding", "Upgrade")) {
      assertThat(HopByHop.isHopByHop(name)).as(name).isTrue();
    }
    assertThat(HopByHop.isHopByHop("Proxy-Connection")).isTrue();
    assertThat(HopByHop.isHopByHop("HTTP2-Settings")).isTrue();
  }

  @Test
  void endToEndFieldsGoOn() {
    for (String name : List.of("Trailer", "Expect", "Host", "Content-Length", "x-sidetrack-id")) {
      assertThat(HopByHop.isHopByHop(name)).as(name).isFalse();
    }
  }

  @Test
  void connectionNamesFieldsForItsMessageOnly() {
    Set<String> named = HopByHop.namedBy(List.of("close, X-Secret", " ,Keep-Alive,"));
    assertThat(named).containsExactlyInAnyOrder("close", "x-secret", "keep-alive");
    assertThat(HopByHop.staysOnHop("X-SECRET", named)).isTrue();
    assertThat(HopByHop.staysOnHop("x-other", named)).isFalse();
    assertThat(HopByHop.staysOnHop("TE", Set.of())).isTrue();
  }

  @Test
  void teTrailersIsRecognised() {
    assertThat(HopByHop.isTeTrailers(" Trailers ")).isTrue();
    assertThat(HopByHop.isTeTrailers("trailers, deflate")).isFalse();
    assertThat(HopByHop.isTeTrailers(null)).isFalse();
  }
}
