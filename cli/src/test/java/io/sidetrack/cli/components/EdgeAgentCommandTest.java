package io.sidetrack.cli.components;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidetrack.cli.options.Conventions;
import io.sidetrack.cli.options.UsageErrors;
import io.sidetrack.edge.EdgeAgentConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EdgeAgentCommandTest {

  private static EdgeAgentConfig parse(Map<String, String> env, String... args) throws Exception {
    EdgeAgentCommand command = new EdgeAgentCommand();
    String[] all = new String[args.length + 2];
    all[0] = "--workload";
    all[1] = "demo";
    System.arraycopy(args, 0, all, 2, args.length);
    Conventions.install(new CommandLine(command), env::get).parseArgs(all);
    return command.toConfig();
  }

  @Test
  void baggageIsBridgedByDefault() throws Exception {
    assertThat(parse(Map.of()).bridgeBaggage())
        .isEqualTo(EdgeAgentConfig.DEFAULT_BRIDGE_BAGGAGE)
        .isTrue();
  }

  @Test
  void bridgeBaggageFalseTurnsItOffAsAFlagOrAVariable() throws Exception {
    assertThat(parse(Map.of(), "--bridge-baggage=false").bridgeBaggage()).isFalse();
    assertThat(parse(Map.of(), "--bridge-baggage", "false").bridgeBaggage()).isFalse();
    assertThat(parse(Map.of("SIDETRACK_BRIDGE_BAGGAGE", "false")).bridgeBaggage()).isFalse();
    assertThat(
            parse(Map.of("SIDETRACK_BRIDGE_BAGGAGE", "false"), "--bridge-baggage=true")
                .bridgeBaggage())
        .as("the flag wins")
        .isTrue();
  }

  @Test
  void aBridgeBaggageThatIsNoBooleanIsAOneLineError() {
    assertThatThrownBy(() -> parse(Map.of(), "--bridge-baggage=maybe"))
        .isInstanceOfSatisfying(
            CommandLine.ParameterException.class,
            e -> assertThat(UsageErrors.message(e)).contains("--bridge-baggage").contains("maybe"));
  }
}
