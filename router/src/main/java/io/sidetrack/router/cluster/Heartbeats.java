package io.sidetrack.router.cluster;

import static java.util.Objects.requireNonNull;

import io.sidetrack.router.cluster.ClusterView.Agent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agents' last heartbeats as read, and the one policy of which of them count as live. An
 * agent's silence is measured up to the last time the view read {@code sidetrack.agents} ({@link
 * #readAt}), not up to now: while the router itself cannot read Kafka, the agents do not age. The
 * view's thread writes; anyone reads.
 */
final class Heartbeats {
  /**
   * How long after the last heartbeat of a workload's agents that stopped without a tombstone the
   * workload is {@link Liveness.Silent} (waited for) instead of {@link Liveness.Unknown}: longer
   * than a broker's failover (seen 7-19 s) and an agent's restart.
   */
  static final Duration SILENT_AGENTS_WAITED = Duration.ofMinutes(2);

  private final Duration agentTimeout;
  private final Map<String, Agent> agents = new ConcurrentHashMap<>();
  private volatile Instant readUpTo;

  /**
   * @param agentTimeout an agent silent for longer is not live
   * @param start when the view began: silences are measured up to it until it reads
   */
  Heartbeats(Duration agentTimeout, Instant start) {
    this.agentTimeout = requireNonNull(agentTimeout, "agentTimeout");
    this.readUpTo = requireNonNull(start, "start");
  }

  /** An agent's heartbeat, under its record's key. */
  void beat(String key, Agent agent) {
    agents.put(key, agent);
  }

  /** The agent under {@code key} stopped cleanly (its tombstone). */
  void stopped(String key) {
    agents.remove(key);
  }

  /** The view read {@code sidetrack.agents} up to {@code time}: whatever was written is heard. */
  void readAt(Instant time) {
    if (time.isAfter(readUpTo)) {
      readUpTo = time;
    }
  }

  /** How many agents are known, live or not. */
  int size() {
    return agents.size();
  }

  /** Every live agent, of any workload. */
  List<Agent> live() {
    Instant cutoff = readUpTo.minus(agentTimeout);
    List<Agent> live = new ArrayList<>();
    for (Agent a : agents.values()) {
      if (a.time().isAfter(cutoff)) {
        live.add(a);
      }
    }
    return live;
  }

  /** What can be said of {@code workload}'s agents. */
  Liveness of(String workload) {
    Instant now = readUpTo;
    Instant cutoff = now.minus(agentTimeout);
    List<Agent> live = new ArrayList<>();
    Instant last = null;
    for (Agent a : agents.values()) {
      if (!a.workload().equals(workload)) {
        continue;
      }
      if (a.time().isAfter(cutoff)) {
        live.add(a);
      }
      if (last == null || a.time().isAfter(last)) {
        last = a.time();
      }
    }
    if (!live.isEmpty()) {
      return new Liveness.Live(live);
    }
    if (last != null && last.isAfter(now.minus(SILENT_AGENTS_WAITED))) {
      return new Liveness.Silent(last, Duration.between(last, now));
    }
    return new Liveness.Unknown();
  }

  /**
   * The time of the last heartbeat of any agent of {@code workload} that did not stop cleanly, live
   * or not.
   */
  Optional<Instant> lastHeard(String workload) {
    return agents.values().stream()
        .filter(a -> a.workload().equals(workload))
        .map(Agent::time)
        .max(Instant::compareTo);
  }
}
