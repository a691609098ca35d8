package io.sidetrack.router.cluster;

import static java.util.Objects.requireNonNull;

import io.sidetrack.router.cluster.ClusterView.Agent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the router can say of a workload's edge agents, decided in one place ({@link
 * ClusterView#agents}): some are live; none is, but one was heard lately and none said goodbye (a
 * broker failing over, agents restarting: wait for them); or none is known.
 */
public sealed interface Liveness {

  /** The live agents: none when the workload has none. */
  default List<Agent> live() {
    return this instanceof Live l ? l.agents() : List.of();
  }

  /** Agents heard within the agent timeout; at least one. */
  record Live(List<Agent> agents) implements Liveness {
    public Live {
      agents = List.copyOf(agents);
      if (agents.isEmpty()) {
        throw new IllegalArgumentException("a live workload has an agent");
      }
    }
  }

  /**
   * No agent is live, but one that stopped without a tombstone was heard {@code silentFor} before
   * the view last read {@code sidetrack.agents}, within {@link Heartbeats#SILENT_AGENTS_WAITED}.
   */
  record Silent(Instant lastHeard, Duration silentFor) implements Liveness {
    public Silent {
      requireNonNull(lastHeard, "lastHeard");
      requireNonNull(silentFor, "silentFor");
    }

    /** {@code no edge agent of shop has reported for 12 s (...)}. */
    public String describe(String workload) {
      return "no edge agent of "
          + workload
          + " has reported for "
          + silentFor.toSeconds()
          + " s (is Kafka failing over, or are they restarting?)";
    }
  }

  /** No agent of the workload was heard lately, or every one stopped cleanly. */
  record Unknown() implements Liveness {}
}
