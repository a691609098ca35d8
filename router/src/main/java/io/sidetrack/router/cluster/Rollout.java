package io.sidetrack.router.cluster;

import static java.util.Objects.requireNonNull;

import io.sidetrack.router.cluster.ClusterView.Agent;
import io.sidetrack.router.cluster.ClusterView.RouteAt;

/**
 * How far a route entry got with its workload's live edge agents: an agent applied it once it read
 * past the entry's offset in its partition (one reading another partition has nothing to apply).
 * Active once at least one agent is live and every live one applied it: with none live, nobody
 * routes by it yet.
 */
public record Rollout(Liveness agents, int applied) {
  public Rollout {
    requireNonNull(agents, "agents");
  }

  /** The rollout of {@code at} to {@code agents}. */
  public static Rollout of(RouteAt at, Liveness agents) {
    int applied = 0;
    for (Agent a : agents.live()) {
      if (a.partition() != at.partition() || a.appliedOffset() > at.offset()) {
        applied++;
      }
    }
    return new Rollout(agents, applied);
  }

  /** How many agents of the workload are live. */
  public int live() {
    return agents.live().size();
  }

  /** Whether at least one agent is live and every live one applied the entry. */
  public boolean active() {
    return live() > 0 && applied >= live();
  }

  /** Where it stands, in words: who routes by it, or what it waits for. */
  public String describe(String workload) {
    if (active()) {
      return "routed by " + live() + " edge agent" + (live() == 1 ? "" : "s");
    }
    if (agents instanceof Liveness.Silent silent) {
      return silent.describe(workload) + "; waiting for one to apply it";
    }
    if (agents instanceof Liveness.Unknown) {
      return "no edge agent of "
          + workload
          + " is live (they stopped, or none was heard in the last "
          + Heartbeats.SILENT_AGENTS_WAITED.toMinutes()
          + " min); waiting for one to apply it";
    }
    return applied + " of " + live() + " edge agents have applied it";
  }
}
