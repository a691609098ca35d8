package io.sidetrack.router.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.InterceptValidator;
import io.sidetrack.core.Limits;
import io.sidetrack.core.MatchRules;
import io.sidetrack.router.auth.Tokens.Identity;
import io.sidetrack.router.cluster.ClusterState;
import io.sidetrack.router.cluster.ClusterView.RouteAt;
import io.sidetrack.router.cluster.Liveness;
import io.sidetrack.tunnel.InterceptSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Whether an intercept may be registered, by what the cluster view says of its workload's agents.
 */
@Timeout(10)
class RegistrationCheckTest {
  private static final Identity ALICE = new Identity("alice", Set.of("*"));
  private static final InterceptSpec SPEC =
      new InterceptSpec(
          "i-1", "shop", MatchRules.header("x-sidetrack-id", "a"), Duration.ofSeconds(30), false);

  @Test
  void aWorkloadWithALiveAgentIsAccepted() {
    Liveness live = new Liveness.Live(List.of(ActivationTest.agent("a-1", 0, 0)));
    assertThat(check(new View(true, live))).isInstanceOf(RegistrationCheck.Accepted.class);
  }

  @Test
  void aWorkloadWhoseAgentsWentSilentIsWaitedFor() {
    Liveness silent =
        new Liveness.Silent(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofSeconds(15));
    RegistrationCheck.Outcome outcome = check(new View(true, silent));
    assertThat(outcome)
        .isEqualTo(
            new RegistrationCheck.NotYet(
                "no edge agent of shop has reported for 15 s (is Kafka failing over, or are they"
                    + " restarting?); waiting for one"));
  }

  @Test
  void aWorkloadNoAgentReportsIsRefusedAsUnknown() {
    assertThat(check(new View(true, new Liveness.Unknown())))
        .isEqualTo(
            new RegistrationCheck.Refused(
                "unknown workload 'shop': no live edge agent reports it in sidetrack.agents"));
  }

  @Test
  void nothingIsDecidedBeforeTheViewIsReady() {
    assertThat(check(new View(false, new Liveness.Unknown())))
        .isInstanceOf(RegistrationCheck.NotYet.class);
  }

  private static RegistrationCheck.Outcome check(ClusterState view) {
    return RegistrationCheck.check(
        SPEC, ALICE, view, new InterceptValidator(Limits.DEFAULTS), "router:1", "sidetrack.agents");
  }

  /** A view without route entries whose every workload's agents are as given. */
  private record View(boolean ready, Liveness agents) implements ClusterState {
    @Override
    public Optional<RouteAt> route(String interceptId) {
      return Optional.empty();
    }

    @Override
    public Liveness agents(String workload) {
      return agents;
    }
  }
}
