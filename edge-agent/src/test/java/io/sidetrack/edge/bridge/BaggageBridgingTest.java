package io.sidetrack.edge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.routing.Route;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class BaggageBridgingTest {
  private static final Route CAROL =
      new Route(
          "carol",
          "shop",
          "dev-carol",
          MatchRules.header("x-user", "carol"),
          "127.0.0.1:1",
          Instant.EPOCH,
          FailureMode.FAIL_OPEN);

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final BaggageBridging bridging = new BaggageBridging(true, meters);

  private double bridged() {
    return meters.get("sidetrack.agent.baggage.bridged").counter().count();
  }

  private double skipped(String reason) {
    return meters.get("sidetrack.agent.baggage.skipped").tag("reason", reason).counter().count();
  }

  @Test
  void aRequestWithoutTheHeaderGoingToTheAppIsNotBridgedAtAll() {
    assertThat(bridging.applies(false, null)).isFalse();
    assertThat(bridging.applies(true, null)).isTrue();
    assertThat(bridging.applies(false, CAROL)).isTrue();
  }

  @Test
  void offBridgesNothing() {
    BaggageBridging off = new BaggageBridging(false, meters);
    assertThat(off.enabled()).isFalse();
    assertThat(off.applies(true, CAROL)).isFalse();
  }

  @Test
  void anAddedMemberIsCountedAndAPresentOneIsNot() {
    assertThat(bridging.merge(List.of("a=1"), List.of("bob"), null, 1024).text())
        .isEqualTo(",sidetrack-id=bob");
    assertThat(bridging.merge(List.of(), List.of(), CAROL, 1024).text())
        .isEqualTo("sidetrack-id=dev-carol");
    assertThat(bridging.merge(List.of("sidetrack-id=x"), List.of("bob"), null, 1024)).isNull();
    assertThat(bridged()).isEqualTo(2);
    assertThat(skipped("too-many-members") + skipped("too-large") + skipped("head-too-large"))
        .isZero();
  }

  @Test
  void aMemberALimitKeepsOutIsCountedByTheLimit() {
    String many = String.join(",", Collections.nCopies(64, "k=v"));
    assertThat(bridging.merge(List.of(many), List.of("bob"), null, 1024)).isNull();
    assertThat(bridging.merge(List.of("k=" + "v".repeat(8190)), List.of("bob"), null, 1 << 20))
        .isNull();
    assertThat(bridging.merge(List.of("a=1"), List.of("bob"), null, 3)).isNull();
    assertThat(skipped("too-many-members")).isEqualTo(1);
    assertThat(skipped("too-large")).isEqualTo(1);
    assertThat(skipped("head-too-large")).isEqualTo(1);
    assertThat(bridged()).isZero();
  }

  @Test
  void aRequestWithNoIdToBridgeGetsNothingAndCountsNothing() {
    assertThat(bridging.merge(List.of(), List.of(""), null, 1024)).isNull();
    assertThat(bridged()).isZero();
  }
}
