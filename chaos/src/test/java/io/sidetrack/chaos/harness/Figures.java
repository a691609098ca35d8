package io.sidetrack.chaos.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * A scenario's figures as one Markdown table row, printed and appended to {@code
 * target/chaos/figures.md}, so a run's results paste straight into a table.
 */
public final class Figures {
  public static final String HEADER =
      "| scenario | rate/s | requests | failed | wrong | failed (targeting the cut or killed"
          + " part) | fell back to the cluster | p50 / p99 / max ms | measured |\n"
          + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |";

  private Figures() {}

  /**
   * Prints and keeps the row.
   *
   * @param targetingLost the header values whose requests aimed at a part the scenario killed or
   *     cut off (their failures are counted apart)
   * @param measured the scenario's own measures, in order
   */
  public static String row(
      String scenario,
      int rate,
      LoadGenerator.Snapshot load,
      Set<String> targetingLost,
      Map<String, String> measured) {
    LoadGenerator.Counts others = load.totalExcept(targetingLost);
    LoadGenerator.Counts lost =
        load.byTarget().entrySet().stream()
            .filter(e -> targetingLost.contains(e.getKey()))
            .map(Map.Entry::getValue)
            .reduce(LoadGenerator.Counts.ZERO, LoadGenerator.Counts::plus);
    Histogram h = load.latency();
    StringBuilder m = new StringBuilder();
    measured.forEach(
        (k, v) -> m.append(m.length() == 0 ? "" : "; ").append(k).append(" ").append(v));
    String row =
        String.format(
            Locale.ROOT,
            "| %s | %d | %d | %d | %d | %d | %d | %.1f / %.1f / %.1f | %s |",
            scenario,
            rate,
            load.total().sent(),
            others.failed(),
            load.total().wrong(),
            lost.failed(),
            load.total().fellBack(),
            h.getValueAtPercentile(50) / 1000.0,
            h.getValueAtPercentile(99) / 1000.0,
            h.getMaxValue() / 1000.0,
            m);
    System.out.println("FIGURES " + row);
    if (!load.failures().isEmpty()) {
      System.out.println("FIGURES first failures of " + scenario + ": " + load.failures());
    }
    try {
      Path file = Path.of("target", "chaos", "figures.md");
      Files.createDirectories(file.getParent());
      if (!Files.exists(file)) {
        Files.writeString(file, HEADER + "\n");
      }
      Files.writeString(file, row + "\n", StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return row;
  }

  /** Seconds with one decimal. */
  public static String seconds(java.time.Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
