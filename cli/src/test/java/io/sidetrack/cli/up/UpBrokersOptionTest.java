package io.sidetrack.cli.up;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.cli.Sidetrack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code up --brokers}: its checks come before anything starts, as one-line usage errors. */
@Timeout(30)
class UpBrokersOptionTest {

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
  void brokersOutsideOneToFiveIsAUsageError() {
    for (String n : new String[] {"0", "6", "-1"}) {
      String[] r = run(Map.of(), "up", "--brokers", n);
      assertThat(r[0]).as(n).isEqualTo("2");
      assertThat(r[2].lines().findFirst())
          .hasValue("sidetrack: invalid --brokers " + n + " (1 to 5; 3 for failover)");
    }
  }

  @Test
  void brokersFromTheEnvironmentIsCheckedAlike() {
    String[] r = run(Map.of("SIDETRACK_BROKERS", "9"), "up");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).startsWith("sidetrack: invalid --brokers 9");
  }

  @Test
  void aClusterDoesNotCombineWithSecure() {
    String[] r = run(Map.of(), "up", "--brokers", "3", "--secure");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2].lines().findFirst())
        .hasValue(
            "sidetrack: --brokers 3 does not combine with --secure: the cluster's nodes speak"
                + " PLAINTEXT; use one or the other");
  }

  @Test
  void aNegativeRestartDelayIsAUsageError() {
    String[] r = run(Map.of(), "up", "--brokers", "3", "--broker-restart-delay", "-1s");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).startsWith("sidetrack: invalid --broker-restart-delay");
  }

  @Test
  void helpExplainsBrokersAndItsVariable() {
    String help = run(Map.of(), "up", "--help")[1].replaceAll("\\s+", " ");
    assertThat(help)
        .contains("--brokers=N")
        .contains("(env SIDETRACK_BROKERS; default 1)")
        .contains("kill -9")
        .contains("(env SIDETRACK_BROKER_RESTART_DELAY; default 15s)");
  }
}
