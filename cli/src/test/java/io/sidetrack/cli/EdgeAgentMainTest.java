package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The sidecar's entry point is the same {@code sidetrack edge-agent} as the CLI's. */
class EdgeAgentMainTest {

  private static String run(
      Function<Function<String, String>, CommandLine> entry,
      Map<String, String> env,
      String... args) {
    CommandLine cli = entry.apply(env::get);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return exit + "\n" + out + "\n" + err;
  }

  @Test
  void helpIsTheCliHelpOfEdgeAgent() {
    String sidecar = run(EdgeAgentMain::commandLine, Map.of(), "edge-agent", "--help");
    assertThat(sidecar).contains("Usage: sidetrack edge-agent").contains("--workload");
    assertThat(sidecar).isEqualTo(run(Sidetrack::commandLine, Map.of(), "edge-agent", "--help"));
  }

  @Test
  void badSettingsAreTheSameOneLineUsageErrors() {
    Map<String, String> env = Map.of("SIDETRACK_BREAKER_OPEN_FOR", "forever");
    String[] args = {"edge-agent", "--workload", "demo"};
    String sidecar = run(EdgeAgentMain::commandLine, env, args);
    assertThat(sidecar).startsWith("2\n").contains("sidetrack: invalid --breaker-open-for");
    assertThat(sidecar).isEqualTo(run(Sidetrack::commandLine, env, args));
  }
}
