package io.sidetrack.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EndToEndHeadersTest {
  @Test
  void dropsHopByHopAndConnectionNamedHeadersKeepsTheRest() {
    MultiMap from =
        MultiMap.caseInsensitiveMultiMap()
            .add("Connection", "keep-alive, X-Private")
            .add("Keep-Alive", "timeout=5")
            .add("Transfer-Encoding", "chunked")
            .add("X-Private", "secret")
            .add("sidetrack-intercept-id", "i-1")
            .add("Accept", "a")
            .add("Accept", "b");
    MultiMap to = MultiMap.caseInsensitiveMultiMap();
    EndToEndHeaders.copy(from, to, false, Set.of("sidetrack-intercept-id"));
    assertThat(to.names()).containsExactlyInAnyOrder("Accept");
    assertThat(to.getAll("accept")).containsExactly("a", "b");
  }

  @Test
  void anUpgradeKeepsConnectionAndUpgrade() {
    MultiMap from =
        MultiMap.caseInsensitiveMultiMap()
            .add("Connection", "Upgrade")
            .add("Upgrade", "websocket")
            .add("Sec-WebSocket-Key", "k");
    MultiMap to = MultiMap.caseInsensitiveMultiMap();
    EndToEndHeaders.copy(from, to, true, Set.of());
    assertThat(to.get("upgrade")).isEqualTo("websocket");
    assertThat(to.get("connection")).isEqualTo("Upgrade");
    assertThat(to.get("sec-websocket-key")).isEqualTo("k");
  }

  @Test
  void keepsTrailerAndExpectWhichAreEndToEndAndDropsTe() {
    MultiMap from =
        MultiMap.caseInsensitiveMultiMap()
            .add("Trailer", "grpc-status")
            .add("Expect", "100-continue")
            .add("TE", "trailers");
    MultiMap to = MultiMap.caseInsensitiveMultiMap();
    EndToEndHeaders.copy(from, to, false, Set.of());
    assertThat(to.names()).containsExactlyInAnyOrder("Trailer", "Expect");
  }
}
