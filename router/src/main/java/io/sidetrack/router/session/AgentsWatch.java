package io.sidetrack.router.session;

import io.sidetrack.router.cluster.Rollout;
import java.util.Optional;

/**
 * What an active intercept's tunnel tells its CLI when every edge agent of the workload goes
 * silent: that it waits for them (and for how long they have been silent), then, once a live agent
 * routes by it again, that it is active again. It decides; the session sends. The session stays
 * active meanwhile: its lease is renewed as before.
 */
final class AgentsWatch {
  /** What to tell the CLI. */
  sealed interface Notice {}

  /** No agent of the workload is live: what the intercept waits for; {@code first} of this wait. */
  record Waiting(String detail, boolean first) implements Notice {}

  /** Live agents route by it again, {@code waitedMs} after they were found gone. */
  record Back(int agents, long waitedMs) implements Notice {}

  private boolean gone;
  private long goneAt;

  /**
   * The notice that {@code rollout} of the active intercept calls for at {@code nanoTime}, if any:
   * {@link Waiting} while no agent is live, {@link Back} once, when they route by it again.
   */
  Optional<Notice> next(Rollout rollout, String workload, long nanoTime) {
    if (rollout.live() == 0) {
      boolean first = !gone;
      if (first) {
        gone = true;
        goneAt = nanoTime;
      }
      return Optional.of(new Waiting("active, but " + rollout.describe(workload), first));
    }
    if (gone && rollout.active()) {
      gone = false;
      return Optional.of(new Back(rollout.live(), (nanoTime - goneAt) / 1_000_000));
    }
    return Optional.empty();
  }
}
