package io.sidetrack.cli.options;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.cli.Sidetrack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

class ConventionsTest {

  /** A command using every convention, so the tests need no Kafka. */
  @Command(name = "probe", mixinStandardHelpOptions = true)
  static final class Probe implements Callable<Integer> {
    @EnvVar
    @Option(names = "--idle-timeout", defaultValue = "60s", description = "Idle time.")
    Duration idleTimeout;

    @EnvVar
    @Option(names = "--listen", defaultValue = "0.0.0.0:8080", description = "Where.")
    HostPort listen;

    @EnvVar("KAFKA_BOOTSTRAP_SERVERS")
    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka.")
    String bootstrapServers;

    @Option(names = "--plain", description = "No variable.")
    String plain;

    @Mixin TopicOptions topics;

    @Override
    public Integer call() {
      return 0;
    }
  }

  private static final class Run {
    final Probe probe = new Probe();
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final int exit;

    Run(Map<String, String> env, String... args) {
      CommandLine cli = Conventions.install(new CommandLine(probe), env::get);
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      cli.setParameterExceptionHandler(
          (e, a) -> {
            e.getCommandLine().getErr().println("sidetrack: " + UsageErrors.message(e));
            return Sidetrack.EXIT_USAGE;
          });
      exit = cli.execute(args);
    }
  }

  @Test
  void theVariableIsDerivedFromTheLongestName() {
    assertThat(EnvVars.derive("--idle-timeout")).isEqualTo("SIDETRACK_IDLE_TIMEOUT");
    Run run = new Run(Map.of("SIDETRACK_IDLE_TIMEOUT", "500ms", "SIDETRACK_LISTEN", ":9"));
    assertThat(run.exit).isZero();
    assertThat(run.probe.idleTimeout).isEqualTo(Duration.ofMillis(500));
    assertThat(run.probe.listen).isEqualTo(new HostPort("0.0.0.0", 9));
  }

  @Test
  void anExplicitVariableIsUsedInsteadOfTheDerivedOne() {
    Run run =
        new Run(
            Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "kafka:29092",
                "SIDETRACK_BOOTSTRAP_SERVERS", "wrong:1"));
    assertThat(run.probe.bootstrapServers).isEqualTo("kafka:29092");
  }

  @Test
  void aFlagBeatsItsVariableWhichBeatsTheDefault() {
    assertThat(new Run(Map.of()).probe.idleTimeout).isEqualTo(Duration.ofSeconds(60));
    assertThat(new Run(Map.of("SIDETRACK_IDLE_TIMEOUT", "2s")).probe.idleTimeout)
        .isEqualTo(Duration.ofSeconds(2));
    assertThat(
            new Run(Map.of("SIDETRACK_IDLE_TIMEOUT", "2s"), "--idle-timeout", "5m")
                .probe
                .idleTimeout)
        .isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void anOptionWithoutEnvVarIgnoresTheEnvironment() {
    assertThat(new Run(Map.of("SIDETRACK_PLAIN", "x")).probe.plain).isNull();
  }

  @Test
  void theTopicPrefixMixinReadsSidetrackTopicPrefix() {
    assertThat(new Run(Map.of()).probe.topics.given()).isEmpty();
    assertThat(new Run(Map.of()).probe.topics.prefix()).isEmpty();
    assertThat(new Run(Map.of("SIDETRACK_TOPIC_PREFIX", "dev.")).probe.topics.prefix())
        .isEqualTo("dev.");
    assertThat(new Run(Map.of(), "--topic-prefix", "me.").probe.topics.prefix()).isEqualTo("me.");
  }

  @Test
  void aBadDurationFlagExitsTwoWithOneLineNamingFlagVariableAndValue() {
    Run run = new Run(Map.of(), "--idle-timeout", "soon");
    assertThat(run.exit).isEqualTo(2);
    assertThat(run.err.toString())
        .isEqualTo(
            "sidetrack: invalid --idle-timeout (SIDETRACK_IDLE_TIMEOUT): 'soon' (expected a"
                + " duration such as 500ms, 2s or 5m)"
                + System.lineSeparator());
  }

  @Test
  void aBadHostPortVariableExitsTwoWithOneLineNamingFlagVariableAndValue() {
    Run run = new Run(Map.of("SIDETRACK_LISTEN", "localhost"));
    assertThat(run.exit).isEqualTo(2);
    assertThat(run.err.toString())
        .isEqualTo(
            "sidetrack: invalid --listen (SIDETRACK_LISTEN): 'localhost' (expected HOST:PORT)"
                + System.lineSeparator());
  }

  @Test
  void helpListsEachVariableAndDefault() {
    String help = new Run(Map.of(), "--help").out.toString().replaceAll("\\s+", " ");
    assertThat(help)
        .contains("Idle time. (env SIDETRACK_IDLE_TIMEOUT; default 60s)")
        .contains("Kafka. (env KAFKA_BOOTSTRAP_SERVERS; default localhost:9092)")
        .contains("(env SIDETRACK_TOPIC_PREFIX)")
        .doesNotContain("SIDETRACK_PLAIN")
        .doesNotContain("SIDETRACK_HELP");
  }
}
