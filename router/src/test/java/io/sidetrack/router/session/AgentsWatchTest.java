package io.sidetrack.router.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.router.cluster.Liveness;
import io.sidetrack.router.cluster.Rollout;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What an active intercept's CLI is told as its workload's agents go and come back. */
@Timeout(10)
class AgentsWatchTest {
  private static final Instant HEARD = Instant.parse("2026-01-01T00:00:00Z");
  private static final long SECOND = 1_000_000_000L;

  private final AgentsWatch watch = new AgentsWatch();

  @Test
  void nothingIsToldWhileLiveAgentsRouteByIt() {
    assertThat(watch.next(routedBy(1), "shop", 0)).isEmpty();
    // a new entry (a renewal) not applied yet is no news
    assertThat(watch.next(new Rollout(live(2), 1), "shop", SECOND)).isEmpty();
  }

  @Test
  void agentsAllSilentAreToldAsAWaitThenTheirReturnAsActiveAgain() {
    assertThat(watch.next(silentFor(12), "shop", 0))
        .contains(
            new AgentsWatch.Waiting(
                "active, but no edge agent of shop has reported for 12 s (is Kafka failing over,"
                    + " or are they restarting?); waiting for one to apply it",
                true));
    assertThat(watch.next(silentFor(13), "shop", SECOND))
        .hasValueSatisfying(
            n -> assertThat(((AgentsWatch.Waiting) n).first()).as("the same wait").isFalse());
    // back, but not caught up with the entry yet
    assertThat(watch.next(new Rollout(live(1), 0), "shop", 2 * SECOND)).isEmpty();

    assertThat(watch.next(routedBy(1), "shop", 3 * SECOND))
        .contains(new AgentsWatch.Back(1, 3_000));
    assertThat(watch.next(routedBy(1), "shop", 4 * SECOND)).isEmpty();
  }

  private static Rollout silentFor(long seconds) {
    return new Rollout(new Liveness.Silent(HEARD, Duration.ofSeconds(seconds)), 0);
  }

  private static Rollout routedBy(int agents) {
    return new Rollout(live(agents), agents);
  }

  private static Liveness live(int agents) {
    return new Liveness.Live(
        IntStream.range(0, agents).mapToObj(i -> ActivationTest.agent("a-" + i, 1, 8)).toList());
  }
}
