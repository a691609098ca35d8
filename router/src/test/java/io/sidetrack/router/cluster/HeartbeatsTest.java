package io.sidetrack.router.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.router.cluster.ClusterView.Agent;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The one policy of which agents are live, on times given: no clock but the reads it is told of.
 */
@Timeout(10)
class HeartbeatsTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Heartbeats heartbeats = new Heartbeats(TIMEOUT, T);

  @Test
  void anAgentHeardWithinTheTimeoutIsLive() {
    heartbeats.beat("a-1", agent("a-1", "shop", T));
    heartbeats.readAt(T.plusSeconds(9));

    assertThat(heartbeats.of("shop")).isInstanceOf(Liveness.Live.class);
    assertThat(heartbeats.of("shop").live()).extracting(Agent::agentId).containsExactly("a-1");
    assertThat(heartbeats.live()).extracting(Agent::agentId).containsExactly("a-1");
    assertThat(heartbeats.of("cart")).isEqualTo(new Liveness.Unknown());
  }

  @Test
  void anAgentSilentLongerThanTheTimeoutIsWaitedForThenUnknown() {
    heartbeats.beat("a-1", agent("a-1", "shop", T));

    heartbeats.readAt(T.plusSeconds(15));
    assertThat(heartbeats.of("shop")).isEqualTo(new Liveness.Silent(T, Duration.ofSeconds(15)));
    assertThat(heartbeats.live()).isEmpty();
    assertThat(((Liveness.Silent) heartbeats.of("shop")).describe("shop"))
        .startsWith("no edge agent of shop has reported for 15 s");

    heartbeats.readAt(T.plus(Heartbeats.SILENT_AGENTS_WAITED).plusSeconds(1));
    assertThat(heartbeats.of("shop")).isEqualTo(new Liveness.Unknown());
    assertThat(heartbeats.lastHeard("shop")).contains(T);
  }

  @Test
  void silenceIsMeasuredUpToTheLastReadNotUpToNow() {
    // the heartbeat is a day old by the wall clock of this test; nothing read since it
    heartbeats.beat("a-1", agent("a-1", "shop", T));
    heartbeats.readAt(T.plusSeconds(2));

    assertThat(heartbeats.of("shop").live()).hasSize(1);
  }

  @Test
  void theLastReadNeverGoesBack() {
    heartbeats.beat("a-1", agent("a-1", "shop", T));
    heartbeats.readAt(T.plusSeconds(30));
    heartbeats.readAt(T.plusSeconds(1));

    assertThat(heartbeats.of("shop")).isEqualTo(new Liveness.Silent(T, Duration.ofSeconds(30)));
  }

  @Test
  void oneLiveAgentMakesTheWorkloadLiveAndItsSilentOnesDoNotCount() {
    heartbeats.beat("a-1", agent("a-1", "shop", T));
    heartbeats.beat("a-2", agent("a-2", "shop", T.plusSeconds(20)));
    heartbeats.readAt(T.plusSeconds(21));

    assertThat(heartbeats.of("shop").live()).extracting(Agent::agentId).containsExactly("a-2");
  }

  @Test
  void aWorkloadWhoseAgentsAllStoppedCleanlyIsUnknownAtOnce() {
    heartbeats.beat("a-1", agent("a-1", "shop", T));
    heartbeats.stopped("a-1");

    assertThat(heartbeats.of("shop")).isEqualTo(new Liveness.Unknown());
    assertThat(heartbeats.lastHeard("shop")).isEmpty();
  }

  static Agent agent(String id, String workload, Instant time) {
    return new Agent(id, workload, 0, 0, true, 0, time.minusSeconds(60), time);
  }
}
