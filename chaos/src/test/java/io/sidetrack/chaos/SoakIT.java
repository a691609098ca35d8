package io.sidetrack.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.chaos.harness.ChaosCluster;
import io.sidetrack.chaos.harness.ChaosCluster.Developer;
import io.sidetrack.chaos.harness.Figures;
import io.sidetrack.chaos.harness.Http;
import io.sidetrack.chaos.harness.LoadGenerator;
import io.sidetrack.chaos.harness.ObservedProcess;
import io.sidetrack.chaos.harness.SidetrackProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The soak: the whole {@link ChaosCluster} under a fixed load for {@code sidetrack.soak.minutes} (3
 * in the slow profile, 30 from {@code loadtest/run-soak.sh}), intercepts starting and ending
 * throughout, every long-lived process's resident memory (and the heap of those with {@code
 * /metrics}) sampled every {@link #SAMPLE_EVERY}. It asserts no failed or misrouted request and no
 * growth of memory beyond the tolerances named below.
 */
@Tag("slow")
class SoakIT {
  static final double MINUTES =
      Double.parseDouble(System.getProperty("sidetrack.soak.minutes", "3"));
  static final int RATE = Integer.getInteger("sidetrack.chaos.rate", 100);

  /**
   * Kafka brokers unless {@code -Dsidetrack.chaos.brokers} says otherwise: one, so that the slow
   * profile's chaos module stays within its time (three add their start and memory to every run;
   * the failure scenarios run on three).
   */
  static final int BROKERS = 1;

  static final Duration SAMPLE_EVERY = Duration.ofSeconds(30);
  static final Duration CHURN_EVERY = Duration.ofSeconds(15);
  static final Duration TTL = Duration.ofSeconds(15);

  /**
   * Resident memory (beside the committed heap, for processes with {@code /metrics}) may end at
   * most this much above its first sample after the warm-up, plus {@link #RSS_SLACK_MB}: JVMs still
   * grow their code cache and malloc arenas to a steady size in the first minutes.
   */
  static final double RSS_TOLERANCE = 0.25;

  static final long RSS_SLACK_MB = 32;

  static ChaosCluster cluster;

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Timeout(3 * 3600) // the 30-minute run from loadtest/run-soak.sh included; it ends on its own
  void memoryStaysFlatAndNoRequestFailsWhileInterceptsComeAndGo() throws Exception {
    cluster = ChaosCluster.start("soak", BROKERS);
    List<String> routing = new CopyOnWriteArrayList<>();
    Developer devA = cluster.intercept("dev-a", TTL, cluster.routers().get(0));
    Developer devB = cluster.intercept("dev-b", TTL, cluster.routers().get(1));
    devA.awaitActive(Duration.ofSeconds(120));
    devB.awaitActive(Duration.ofSeconds(120));
    routing.addAll(List.of("dev-a", "dev-b"));
    LoadGenerator warmUp = cluster.load(RATE, () -> routing);
    warmUp.start();
    Thread.sleep(20_000);
    warmUp.close();

    List<ObservedProcess> sampled = new ArrayList<>();
    Map<SidetrackProcess, String> metricsOf = new LinkedHashMap<>();
    for (ChaosCluster.Service s : cluster.streams()) {
      metricsOf.put(s.process(), s.url("/metrics"));
    }
    for (ChaosCluster.Service s : cluster.routers()) {
      metricsOf.put(s.process(), s.url("/metrics"));
    }
    for (ChaosCluster.Service s : cluster.agents()) {
      metricsOf.put(s.process(), s.url("/metrics"));
    }
    sampled.addAll(cluster.kafka().processes());
    cluster.processes().stream()
        .filter(p -> p.name().equals("schema-registry"))
        .forEach(sampled::add);
    sampled.addAll(metricsOf.keySet());
    sampled.add(devA.cli);
    Map<ObservedProcess, List<Long>> rss = new LinkedHashMap<>();
    Map<ObservedProcess, List<Long>> heap = new LinkedHashMap<>();
    Map<ObservedProcess, List<Long>> committed = new LinkedHashMap<>();
    sampled.forEach(p -> rss.put(p, new ArrayList<>()));
    metricsOf.keySet().forEach(p -> heap.put(p, new ArrayList<>()));
    metricsOf.keySet().forEach(p -> committed.put(p, new ArrayList<>()));

    LoadGenerator load = cluster.load(RATE, () -> routing);
    load.start();
    Instant start = Instant.now();
    Instant end = start.plusMillis((long) (MINUTES * 60_000));
    Instant nextSample = start;
    Instant nextChurn = start.plus(CHURN_EVERY);
    Deque<Developer> churning = new ArrayDeque<>();
    int started = 0;
    int ended = 0;
    List<Long> activations = new ArrayList<>();
    while (true) {
      Instant now = Instant.now();
      if (!now.isBefore(nextSample)) {
        for (ObservedProcess p : sampled) {
          rss.get(p).add(p.rssBytes().orElse(0));
        }
        metricsOf.forEach(
            (p, url) -> {
              Map<String, Double> metrics = Http.metrics(url);
              heap.get(p).add((long) Http.sum(metrics, "jvm_memory_used_bytes{area=\"heap\""));
              committed
                  .get(p)
                  .add((long) Http.sum(metrics, "jvm_memory_committed_bytes{area=\"heap\""));
            });
        nextSample = nextSample.plus(SAMPLE_EVERY);
        if (now.isAfter(end)) {
          break;
        }
      }
      if (!now.isBefore(nextChurn) && now.isBefore(end)) {
        // one more intercept starts; the oldest of three ends
        String identity = "soak-" + (started % 40);
        Developer dev = cluster.intercept(identity, TTL, cluster.routers().get(started % 2));
        started++;
        activations.add(dev.awaitActive(Duration.ofSeconds(120)).toMillis());
        routing.add(identity);
        churning.add(dev);
        if (churning.size() > 3) {
          Developer oldest = churning.removeFirst();
          routing.remove(oldest.identity);
          Thread.sleep(1_500); // requests already sent with its header still reach it
          oldest.leave();
          ended++;
        }
        nextChurn = Instant.now().plus(CHURN_EVERY);
      }
      Thread.sleep(200);
    }
    load.stop();
    LoadGenerator.Snapshot s = load.snapshot();

    StringBuilder table =
        new StringBuilder(
            "| process | RSS MB, every 30 s | heap used MB, every 30 s | heap committed MB |\n"
                + "| --- | --- | --- | --- |\n");
    for (ObservedProcess p : sampled) {
      table
          .append("| ")
          .append(p.name())
          .append(" | ")
          .append(mb(rss.get(p)))
          .append(" | ")
          .append(heap.containsKey(p) ? mb(heap.get(p)) : "")
          .append(" | ")
          .append(committed.containsKey(p) ? mb(committed.get(p)) : "")
          .append(" |\n");
    }
    System.out.println("FIGURES soak memory\n" + table);
    java.nio.file.Files.writeString(cluster.dir().resolve("soak-memory.md"), table);
    Map<String, String> measured = new LinkedHashMap<>();
    measured.put("length", String.format(Locale.ROOT, "%.1f min", MINUTES));
    measured.put("intercepts started / ended", started + " / " + ended);
    measured.put(
        "activation p50 / max",
        median(activations)
            + " / "
            + activations.stream().mapToLong(Long::longValue).max().orElse(0)
            + " ms");
    Figures.row("soak", RATE, s, Set.of(), measured);

    assertThat(s.total().failed()).as(s.failures().toString()).isZero();
    assertThat(s.total().wrong()).as(s.failures().toString()).isZero();
    assertThat(started).isGreaterThanOrEqualTo((int) (MINUTES * 60 / CHURN_EVERY.toSeconds()) / 2);
    for (ObservedProcess p : sampled) {
      List<Long> r = rss.get(p);
      List<Long> c = committed.get(p);
      // the first sample is taken at the start of the load. A JVM whose heap the collector grows
      // (a router or registry-stream on the JVM's default maximum) gains resident memory without
      // leaking: for those the RSS beside the committed heap is judged, the heap itself below
      // (routers and registry-streams touch their heap's pages at start, so that what is resident
      // beside it is the JVM's own memory: ChaosCluster.SERVICE_JAVA_OPTS)
      long first = r.get(1) - (c == null ? 0 : c.get(1));
      long last = r.get(r.size() - 1) - (c == null ? 0 : c.get(c.size() - 1));
      assertThat(last)
          .as(
              "%s RSS %s MB%s",
              p.name(), mb(r), c == null ? "" : " (heap committed " + mb(c) + " MB)")
          .isLessThanOrEqualTo((long) (first * (1 + RSS_TOLERANCE)) + RSS_SLACK_MB * 1024 * 1024);
    }
    for (Map.Entry<ObservedProcess, List<Long>> e : heap.entrySet()) {
      // the heap's floor in the second half stays below its peak in the first: no steady climb
      List<Long> h = e.getValue();
      long firstHalfMax =
          h.subList(0, h.size() / 2).stream().mapToLong(Long::longValue).max().orElse(0);
      long secondHalfMin =
          h.subList(h.size() / 2, h.size()).stream().mapToLong(Long::longValue).min().orElse(0);
      assertThat(secondHalfMin)
          .as("%s heap %s MB", e.getKey().name(), mb(h))
          .isLessThanOrEqualTo((long) (firstHalfMax * 1.2));
    }
  }

  static String mb(List<Long> bytes) {
    StringBuilder b = new StringBuilder();
    for (long v : bytes) {
      b.append(b.length() == 0 ? "" : " ").append(v / (1024 * 1024));
    }
    return b.toString();
  }

  static long median(List<Long> values) {
    if (values.isEmpty()) {
      return 0;
    }
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
