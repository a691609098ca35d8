package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/sidetrack}'s start-up archives, on real processes: which runs may leave the archive
 * that later runs map. On the JVM on the PATH (Java 17 here: an AppCDS archive, {@code .jsa}) and,
 * when this machine has one, on a Java 25 or later JDK under /usr/lib/jvm (an AOT cache, {@code
 * .aot}).
 */
class StartupArchiveIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @TempDir Path cds;
  @TempDir Path home;

  private record Ran(int exit, String output) {}

  private int run(String... args) throws IOException, InterruptedException {
    return run(null, null, args).exit();
  }

  /** Runs bin/sidetrack on {@code javaHome} (null: the PATH's) with {@code javaOpts} (or none). */
  private Ran run(Path javaHome, String javaOpts, String... args)
      throws IOException, InterruptedException {
    Path output = home.resolve("run.log");
    ProcessBuilder pb =
        new ProcessBuilder(
                Stream.concat(Stream.of(ROOT.resolve("bin/sidetrack").toString()), Stream.of(args))
                    .toList())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    pb.environment().put("SIDETRACK_CDS_DIR", cds.toString());
    pb.environment().put("SIDETRACK_HOME", home.toString());
    if (javaOpts == null) {
      pb.environment().remove("JAVA_OPTS");
    } else {
      pb.environment().put("JAVA_OPTS", javaOpts);
    }
    if (javaHome == null) {
      pb.environment().remove("JAVA_HOME");
    } else {
      pb.environment().put("JAVA_HOME", javaHome.toString());
    }
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Ran(p.exitValue(), Files.readString(output));
  }

  /** A JDK of Java 25 or later under /usr/lib/jvm, if this machine has one. */
  static Optional<Path> java25() throws IOException {
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return Optional.empty();
    }
    try (Stream<Path> s = Files.list(jvms)) {
      return s.filter(home -> Files.isExecutable(home.resolve("bin/java")))
          .filter(home -> release(home) >= 25)
          .findFirst();
    }
  }

  private static int release(Path home) {
    try {
      for (String line : Files.readAllLines(home.resolve("release"))) {
        if (line.startsWith("JAVA_VERSION=\"")) {
          return Integer.parseInt(line.replaceAll("^JAVA_VERSION=\"(\\d+).*", "$1"));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not a JDK this test can use
    }
    return 0;
  }

  private List<String> files() throws IOException {
    try (Stream<Path> s = Files.list(cds)) {
      return s.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aServiceRunThatEndsAtOnceLeavesNoArchive() throws Exception {
    // a usage error: the agent never served, so it loaded too few classes for a useful archive
    assertThat(run("edge-agent")).isEqualTo(2);
    assertThat(run("edge-agent")).isEqualTo(2);
    assertThat(files()).noneMatch(f -> f.equals("edge-agent.jsa"));
  }

  @Test
  void aShortCommandsArchiveIsAdoptedByItsNextRun() throws Exception {
    // a developer's command is short by nature: its first run's archive serves the next ones
    run("agents", "--router", "http://127.0.0.1:1", "--token", "t");
    run("agents", "--router", "http://127.0.0.1:1", "--token", "t");
    assertThat(files()).contains("agents.jsa");
  }

  @Test
  void onJava25TheArchiveIsAnAotCacheThatTheNextRunOpens() throws Exception {
    Optional<Path> jdk = java25();
    assumeTrue(jdk.isPresent(), "no Java 25 or later JDK under /usr/lib/jvm");
    run(jdk.get(), null, "agents", "--router", "http://127.0.0.1:1", "--token", "t");
    assertThat(files())
        .anyMatch(f -> f.startsWith("agents.aot.partial-"))
        .noneMatch(f -> f.startsWith("agents.jsa"));

    // the next run adopts the recording and maps it; the launcher quiets the JVM's AOT notes, and
    // JAVA_OPTS comes after, so it can ask for them
    Ran next =
        run(
            jdk.get(),
            "-Xlog:aot=info",
            "agents",
            "--router",
            "http://127.0.0.1:1",
            "--token",
            "t");
    assertThat(next.output()).contains("Opened AOT cache " + cds.resolve("agents.aot"));
    assertThat(files()).containsExactly("agents.aot", "agents.aot.key");
  }

  @Test
  void onJava25AServiceRunThatEndsAtOnceLeavesNoCache() throws Exception {
    Optional<Path> jdk = java25();
    assumeTrue(jdk.isPresent(), "no Java 25 or later JDK under /usr/lib/jvm");
    assertThat(run(jdk.get(), null, "edge-agent").exit()).isEqualTo(2);
    assertThat(run(jdk.get(), null, "edge-agent").exit()).isEqualTo(2);
    assertThat(files()).noneMatch(f -> f.equals("edge-agent.aot"));
  }
}
