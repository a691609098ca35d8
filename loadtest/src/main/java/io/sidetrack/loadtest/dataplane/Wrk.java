package io.sidetrack.loadtest.dataplane;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs wrk and reads its summary. */
final class Wrk {
  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
  private static final Pattern P50 = Pattern.compile("\\s50%\\s+([\\d.]+)(us|ms|s)");
  private static final Pattern P99 = Pattern.compile("\\s99%\\s+([\\d.]+)(us|ms|s)");
  private static final Pattern ERRORS = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
  private static final Pattern SOCKET = Pattern.compile("Socket errors: (.*)");

  record Result(
      double requestsPerSecond, double p50Ms, double p99Ms, long non2xx, String socketErrors) {}

  private Wrk() {}

  static Result run(String url, String header, int threads, int connections, int seconds)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency"));
    if (header != null) {
      cmd.add("-H");
      cmd.add(header);
    }
    cmd.add(url);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    Matcher rps = RPS.matcher(out);
    Matcher p50 = P50.matcher(out);
    Matcher p99 = P99.matcher(out);
    if (!rps.find() || !p50.find() || !p99.find()) {
      throw new IllegalStateException("unexpected wrk output:\n" + out);
    }
    Matcher errors = ERRORS.matcher(out);
    Matcher socket = SOCKET.matcher(out);
    return new Result(
        Double.parseDouble(rps.group(1)),
        millis(p50.group(1), p50.group(2)),
        millis(p99.group(1), p99.group(2)),
        errors.find() ? Long.parseLong(errors.group(1)) : 0,
        socket.find() ? socket.group(1) : "");
  }

  private static double millis(String value, String unit) {
    double v = Double.parseDouble(value);
    return switch (unit) {
      case "us" -> v / 1000;
      case "s" -> v * 1000;
      default -> v;
    };
  }
}
