package io.sidetrack.loadtest.dataplane;

import io.sidetrack.embedded.Ports;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.serde.AvroSerde;
import io.sidetrack.stream.RegistryStreamApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The agent as a sidecar ({@code SIDETRACK_BENCH_MODE=rss}): started by {@code bin/sidetrack
 * edge-agent} with its shipped options and N routes (1,000), its resident memory (VmRSS, and the
 * peak VmHWM, from /proc/PID/status) idle and under a fixed rate (1,000 requests/s, by {@code hey
 * -q}, which wrk cannot do), and its CPU per request beside HAProxy's at the same rate.
 */
final class SidecarRss {
  /** Requests per second of the fixed load. */
  static final int RATE =
      Integer.parseInt(System.getenv().getOrDefault("SIDETRACK_BENCH_RATE", "1000"));

  /** Seconds over which the idle agent's CPU is sampled. */
  private static final int IDLE_SAMPLE_SECONDS = 10;

  /** hey's workers; each sends RATE / WORKERS per second. */
  private static final int WORKERS = 10;

  private static final Pattern RESPONSES = Pattern.compile("\\[(\\d{3})]\\s+(\\d+) responses");

  private SidecarRss() {}

  static boolean enabled() {
    return "rss".equals(System.getenv("SIDETRACK_BENCH_MODE"));
  }

  static void run(
      Path root,
      Path dir,
      String bootstrap,
      String registryUrl,
      int appPort,
      int tunnelPort,
      KafkaProducer<String, byte[]> producer,
      AvroSerde<InterceptRegistration> serde,
      RegistryStreamApp stream,
      List<Process> processes,
      int seconds,
      int routes)
      throws Exception {
    String tunnel = "127.0.0.1:" + tunnelPort;
    for (int i = 0; i < routes; i++) {
      DataPlaneBenchmark.register(producer, serde, i, tunnel);
    }
    producer.flush();
    DataPlaneBenchmark.awaitDecided(stream, routes);
    System.out.printf(
        "sidecar RSS: %,d routes, unmatched requests at %,d/s for %d s (hey -c %d -q %d)%n",
        routes, RATE, seconds, WORKERS, RATE / WORKERS);
    System.out.println("agent JVM options: " + jvmOptions(root));
    DataPlaneBenchmark.Agent agent =
        DataPlaneBenchmark.Agent.start(root, dir, bootstrap, registryUrl, appPort);
    processes.add(agent.process);
    long readyMs = agent.awaitRoutes(routes, Duration.ofMinutes(5));
    System.out.printf("agent ready with %,d routes %d ms after its start%n", routes, readyMs);
    String agentUrl = "http://127.0.0.1:" + agent.port + "/";
    Thread.sleep(5_000);
    System.out.printf("agent idle after start: %s%n", memory(agent.process));
    // warm the JIT at the measured rate, then let it settle
    hey(agentUrl, 10);
    Thread.sleep(5_000);
    System.out.printf("agent idle after a 10 s warm-up: %s%n", memory(agent.process));
    // what the agent spends with no request at all (Kafka fetches, heartbeats, timers): at a low
    // rate it is a large part of the CPU per request below
    double[] idleBefore = DataPlaneBenchmark.cpuSeconds(agent.process);
    Thread.sleep(IDLE_SAMPLE_SECONDS * 1_000L);
    double[] idleAfter = DataPlaneBenchmark.cpuSeconds(agent.process);
    double idleShare =
        (idleAfter[0] + idleAfter[1] - idleBefore[0] - idleBefore[1]) / IDLE_SAMPLE_SECONDS;
    System.out.printf(
        "agent idle CPU: %.1f%% of a core, i.e. %.1f us of each request at %,d req/s%n",
        idleShare * 100, idleShare * 1e6 / RATE, RATE);

    Load a = load(agentUrl, agent.process, seconds);
    System.out.printf(
        "agent under %,d req/s: %s; VmRSS max during the load %d MB; %,d responses (%s);"
            + " CPU %.1f us/req%n",
        RATE, memory(agent.process), a.maxRssKb / 1024, a.responses, a.codes, a.cpuUsPerRequest);
    Thread.sleep(5_000);
    System.out.printf("agent idle after the load: %s%n", memory(agent.process));

    int haproxyPort = Ports.free();
    List<String> values = new ArrayList<>();
    for (int i = 0; i < routes; i++) {
      values.add("dev-" + i);
    }
    Process haproxy = Anchors.haproxy(dir, haproxyPort, appPort, tunnelPort, values);
    processes.add(haproxy);
    Thread.sleep(2_000);
    String haproxyUrl = "http://127.0.0.1:" + haproxyPort + "/";
    hey(haproxyUrl, 5);
    Load h = load(haproxyUrl, haproxy, seconds);
    System.out.printf(
        "HAProxy under %,d req/s: %s; %,d responses (%s); CPU %.1f us/req%n",
        RATE, memory(haproxy), h.responses, h.codes, h.cpuUsPerRequest);
    haproxy.destroy();
    agent.stop();
  }

  private record Load(long responses, String codes, double cpuUsPerRequest, long maxRssKb) {}

  /** Runs hey at the fixed rate while sampling the process's VmRSS every 500 ms. */
  private static Load load(String url, Process proxy, int seconds) throws Exception {
    double[] before = DataPlaneBenchmark.cpuSeconds(proxy);
    Process hey = heyProcess(url, seconds);
    long maxRss = 0;
    while (hey.isAlive()) {
      maxRss = Math.max(maxRss, status(proxy, "VmRSS"));
      Thread.sleep(500);
    }
    String out = new String(hey.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    double[] after = DataPlaneBenchmark.cpuSeconds(proxy);
    long responses = 0;
    StringBuilder codes = new StringBuilder();
    Matcher m = RESPONSES.matcher(out);
    while (m.find()) {
      responses += Long.parseLong(m.group(2));
      codes
          .append(codes.length() == 0 ? "" : ", ")
          .append(m.group(1))
          .append(": ")
          .append(m.group(2));
    }
    if (responses == 0) {
      throw new IllegalStateException("hey got no responses: " + out);
    }
    double cpu = after[0] + after[1] - before[0] - before[1];
    return new Load(responses, codes.toString(), cpu * 1e6 / responses, maxRss);
  }

  private static void hey(String url, int seconds) throws Exception {
    Process p = heyProcess(url, seconds);
    p.getInputStream().readAllBytes();
    p.waitFor();
  }

  private static Process heyProcess(String url, int seconds) throws IOException {
    return new ProcessBuilder(
            "hey",
            "-z",
            seconds + "s",
            "-c",
            Integer.toString(WORKERS),
            "-q",
            Integer.toString(RATE / WORKERS),
            url)
        .redirectErrorStream(true)
        .start();
  }

  /** VmRSS and VmHWM (the peak) of a process and its children, in MB. */
  private static String memory(Process p) throws IOException {
    return String.format(
        "VmRSS %d MB, VmHWM %d MB", status(p, "VmRSS") / 1024, status(p, "VmHWM") / 1024);
  }

  /** A kB field of /proc/PID/status, summed over the process and its descendants. */
  private static long status(Process p, String field) throws IOException {
    long kb = 0;
    List<ProcessHandle> all = new ArrayList<>();
    all.add(p.toHandle());
    p.toHandle().descendants().forEach(all::add);
    for (ProcessHandle h : all) {
      Path file = Path.of("/proc", Long.toString(h.pid()), "status");
      if (!Files.exists(file)) {
        continue;
      }
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(field + ":")) {
          kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    }
    return kb;
  }

  private static String jvmOptions(Path root) throws IOException {
    return String.join(
        " ",
        Files.readAllLines(root.resolve("bin/edge-agent.jvm-options")).stream()
            .map(l -> l.replaceAll("#.*", "").trim())
            .filter(l -> !l.isEmpty())
            .toList());
  }
}
