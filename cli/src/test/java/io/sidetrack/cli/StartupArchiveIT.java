package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/sidetrack}'s start-up archives (AppCDS), on real processes: which runs may leave the
 * archive that later runs map.
 */
class StartupArchiveIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @TempDir Path cds;
  @TempDir Path home;

  private int run(String... args) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(
                Stream.concat(Stream.of(ROOT.resolve("bin/sidetrack").toString()), Stream.of(args))
                    .toList())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("SIDETRACK_CDS_DIR", cds.toString());
    pb.environment().put("SIDETRACK_HOME", home.toString());
    pb.environment().remove("JAVA_OPTS");
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
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
}
