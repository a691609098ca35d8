package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SidetrackHelpTest {

  private static String[] run(Map<String, String> env, String... args) {
    CommandLine cli = Sidetrack.commandLine(env::get);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new String[] {String.valueOf(exit), out.toString(), err.toString()};
  }

  @Test
  void routerHelpListsTheVariablesOfItsOwnOptionsAndItsMixins() {
    String help = run(Map.of(), "router", "--help")[1].replaceAll("\\s+", " ");
    assertThat(help)
        .contains("(env SIDETRACK_ROUTER_LISTEN; default 0.0.0.0:8070)")
        .contains("(env SIDETRACK_ROUTER_RELAY; default 0.0.0.0:8071)")
        .contains("(env SIDETRACK_AGENT_TIMEOUT; default 10s)")
        .contains("(env KAFKA_BOOTSTRAP_SERVERS; default localhost:9092)")
        .contains("(env SCHEMA_REGISTRY_URL; default http://localhost:8081)")
        .contains("(env SIDETRACK_TOPIC_PREFIX)")
        .contains("(env SIDETRACK_ROUTER_TOKENS)");
  }

  @Test
  void aBadDurationInTheEnvironmentIsAUsageErrorOfOneLine() {
    String[] r = run(Map.of("SIDETRACK_TTL", "forever"), "intercept", "demo", "--port", "1");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2].lines().findFirst())
        .hasValue(
            "sidetrack: invalid --ttl (SIDETRACK_TTL): 'forever' (expected a duration such as"
                + " 500ms, 2s or 5m)");
  }
}
