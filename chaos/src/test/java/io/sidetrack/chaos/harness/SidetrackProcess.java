package io.sidetrack.chaos.harness;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One component run as its own process through {@code bin/sidetrack}, as an operator would run it:
 * started (and started again after a kill with the same arguments), killed with SIGKILL or stopped
 * with SIGTERM, its output appended to a log file that stays in {@code target/} for debugging, its
 * resident memory read from {@code /proc}.
 */
public final class SidetrackProcess implements ObservedProcess {
  /** The checkout, found from the module's directory (failsafe runs in {@code chaos/}). */
  public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private final String name;
  private final List<String> args;
  private final Map<String, String> environment;
  private final Path log;
  private volatile Process process;
  private int starts;

  public SidetrackProcess(
      String name, Path logDir, Map<String, String> environment, String... args) {
    this.name = requireNonNull(name, "name");
    this.args = List.of(args);
    this.environment = new TreeMap<>(environment);
    this.log = logDir.resolve(name + ".log");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Path log() {
    return log;
  }

  /** Starts the process; its output is appended to {@link #log()}. */
  public synchronized SidetrackProcess start() {
    if (alive()) {
      throw new IllegalStateException(name + " is running");
    }
    List<String> command = new ArrayList<>();
    command.add(ROOT.resolve("bin/sidetrack").toString());
    command.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(environment);
    try {
      Files.createDirectories(log.getParent());
      Files.writeString(
          log,
          "==== start " + (++starts) + " at " + java.time.Instant.now() + ": " + command + "\n",
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
    return this;
  }

  public boolean alive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  public long pid() {
    Process p = process;
    if (p == null) {
      throw new IllegalStateException(name + " never started");
    }
    return p.pid();
  }

  /** {@code kill -9} of the process and whatever it started (the schema registry's JVM). */
  public void kill() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    waitFor(p, Duration.ofSeconds(20));
  }

  /** SIGTERM, as an orchestrator stops a pod; SIGKILL after {@code grace}. */
  public void stop(Duration grace) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    List<ProcessHandle> children = p.descendants().toList();
    p.destroy();
    if (!waitFor(p, grace)) {
      kill();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }

  /** The log so far (for assertions on what a CLI printed). */
  public String output() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Resident memory of the process and its descendants, in bytes ({@code VmRSS} of {@code
   * /proc/PID/status}), or empty once it has ended.
   */
  @Override
  public OptionalLong rssBytes() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return OptionalLong.empty();
    }
    long total = vmRss(p.pid());
    for (ProcessHandle child : p.descendants().toList()) {
      total += vmRss(child.pid());
    }
    return OptionalLong.of(total);
  }

  static long vmRss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // ended meanwhile
    }
    return 0;
  }

  private static boolean waitFor(Process p, Duration timeout) {
    try {
      return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
