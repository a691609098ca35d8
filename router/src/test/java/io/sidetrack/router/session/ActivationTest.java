package io.sidetrack.router.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.routing.Route;
import io.sidetrack.router.cluster.ClusterState;
import io.sidetrack.router.cluster.ClusterView.Agent;
import io.sidetrack.router.cluster.ClusterView.RouteAt;
import io.sidetrack.router.cluster.Liveness;
import io.sidetrack.router.cluster.Rollout;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** When an intercept is active, against a cluster state given. */
@Timeout(10)
class ActivationTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  static final Intercept INTERCEPT =
      new Intercept(
          "i-1",
          "shop",
          "alice",
          MatchRules.header("x-sidetrack-id", "alice"),
          "router:1",
          NOW,
          NOW.plusSeconds(30),
          FailureMode.FAIL_OPEN,
          Map.of());

  /** The entry of {@link #INTERCEPT} at offset 7 of partition 1. */
  static final RouteAt AT = new RouteAt(Route.of(INTERCEPT), 1, 7);

  @Test
  void notAcceptedUntilTheRouteEntryIsTheInterceptAsPublished() {
    Liveness live = new Liveness.Live(List.of(agent("a-1", 1, 8)));
    assertThat(Activation.of(INTERCEPT, new State(null, live))).isEmpty();

    Intercept other =
        new Intercept(
            "i-1",
            "shop",
            "alice",
            MatchRules.header("x-sidetrack-id", "bob"),
            "router:1",
            NOW,
            NOW.plusSeconds(30),
            FailureMode.FAIL_OPEN,
            Map.of());
    assertThat(Activation.of(INTERCEPT, new State(new RouteAt(Route.of(other), 1, 7), live)))
        .isEmpty();
  }

  @Test
  void anAcceptedInterceptIsNotActiveWithNoLiveAgent() {
    Rollout silent =
        Activation.of(
                INTERCEPT,
                new State(AT, new Liveness.Silent(NOW.minusSeconds(15), Duration.ofSeconds(15))))
            .orElseThrow();
    assertThat(silent.active()).isFalse();
    assertThat(silent.live()).isZero();
    assertThat(silent.describe("shop"))
        .isEqualTo(
            "no edge agent of shop has reported for 15 s (is Kafka failing over, or are they"
                + " restarting?); waiting for one to apply it");

    Rollout unknown = Activation.of(INTERCEPT, new State(AT, new Liveness.Unknown())).orElseThrow();
    assertThat(unknown.active()).isFalse();
    assertThat(unknown.describe("shop"))
        .isEqualTo(
            "no edge agent of shop is live (they stopped, or none was heard in the last 2 min);"
                + " waiting for one to apply it");
  }

  @Test
  void activeOnceEveryLiveAgentReadPastTheEntry() {
    Agent applied = agent("a-1", 1, 8);
    Agent behind = agent("a-2", 1, 7);
    Agent otherPartition = agent("a-3", 0, 0);

    Rollout waiting =
        Activation.of(INTERCEPT, new State(AT, new Liveness.Live(List.of(applied, behind))))
            .orElseThrow();
    assertThat(waiting.active()).isFalse();
    assertThat(waiting.describe("shop")).isEqualTo("1 of 2 edge agents have applied it");

    Rollout active =
        Activation.of(INTERCEPT, new State(AT, new Liveness.Live(List.of(applied, otherPartition))))
            .orElseThrow();
    assertThat(active.active()).isTrue();
    assertThat(active.live()).isEqualTo(2);
    assertThat(active.describe("shop")).isEqualTo("routed by 2 edge agents");
  }

  static Agent agent(String id, int partition, long appliedOffset) {
    return new Agent(id, "shop", partition, appliedOffset, true, 1, NOW, NOW);
  }

  /** A cluster state of one route entry (or none) and one answer on the workload's agents. */
  record State(RouteAt at, Liveness agents) implements ClusterState {
    @Override
    public boolean ready() {
      return true;
    }

    @Override
    public Optional<RouteAt> route(String interceptId) {
      return Optional.ofNullable(at).filter(r -> r.route().interceptId().equals(interceptId));
    }

    @Override
    public Liveness agents(String workload) {
      return agents;
    }
  }
}
