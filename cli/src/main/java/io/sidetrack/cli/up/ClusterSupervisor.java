package io.sidetrack.cli.up;

import static java.util.Objects.requireNonNull;

import io.sidetrack.embedded.EmbeddedCluster;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a node of {@code up}'s Kafka cluster again some time after it died (a {@code kill -9} to
 * try failover), as a StatefulSet would, so that both the loss and the return of a broker can be
 * watched from one terminal. Says so on {@code up}'s output.
 */
final class ClusterSupervisor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSupervisor.class);
  private static final long CHECK_MS = 250;

  private final EmbeddedCluster cluster;
  private final Duration delay;
  private final PrintWriter out;
  private final ScheduledExecutorService timer;
  private final long[] diedAt;

  private ClusterSupervisor(EmbeddedCluster cluster, Duration delay, PrintWriter out) {
    this.cluster = cluster;
    this.delay = delay;
    this.out = out;
    this.diedAt = new long[cluster.size() + 1];
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kafka-node-supervisor");
              t.setDaemon(true);
              return t;
            });
  }

  /** Watches {@code cluster}, restarting a dead node {@code delay} after it died. */
  static ClusterSupervisor start(EmbeddedCluster cluster, Duration delay, PrintWriter out) {
    requireNonNull(cluster, "cluster");
    requireNonNull(delay, "delay");
    requireNonNull(out, "out");
    ClusterSupervisor supervisor = new ClusterSupervisor(cluster, delay, out);
    supervisor.timer.scheduleWithFixedDelay(
        supervisor::check, CHECK_MS, CHECK_MS, TimeUnit.MILLISECONDS);
    return supervisor;
  }

  private void check() {
    for (int id = 1; id <= cluster.size(); id++) {
      if (cluster.isAlive(id)) {
        continue;
      }
      long now = System.nanoTime();
      if (diedAt[id] == 0) {
        diedAt[id] = now;
        print(
            "Kafka node %d (pid %d) is gone; starting it again in %ds",
            id, cluster.pid(id), delay.toSeconds());
        continue;
      }
      if (now - diedAt[id] < delay.toNanos()) {
        continue;
      }
      try {
        cluster.restart(id);
        print(
            "Kafka node %d is back, pid %d (%.1fs after it went)",
            id, cluster.pid(id), (System.nanoTime() - diedAt[id]) / 1e9);
      } catch (Exception e) {
        LOG.warn("Kafka node {} did not start again: {}", id, e.getMessage());
        print("Kafka node %d did not start again: %s", id, e.getMessage());
      }
      diedAt[id] = 0;
    }
  }

  private void print(String format, Object... args) {
    synchronized (out) {
      out.printf(format + "%n", args);
      out.flush();
    }
  }

  @Override
  public void close() throws InterruptedException {
    timer.shutdownNow();
    timer.awaitTermination(10, TimeUnit.SECONDS);
  }
}
