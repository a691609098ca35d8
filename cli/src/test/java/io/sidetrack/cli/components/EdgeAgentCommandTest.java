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

  @Test
  void routersArePlainUnlessARouterCaIsGiven() throws Exception {
    assertThat(parse(Map.of()).routerTls().enabled()).isFalse();
    EdgeAgentConfig.RouterTls tls =
        parse(
                Map.of("SIDETRACK_ROUTER_CA", "ca.crt"),
                "--tls-cert",
                "agent.crt",
                "--tls-key",
                "agent.key")
            .routerTls();
    assertThat(tls.enabled()).isTrue();
    assertThat(tls.routerCa()).isEqualTo(java.nio.file.Path.of("ca.crt"));
    assertThat(tls.cert()).isEqualTo(java.nio.file.Path.of("agent.crt"));
  }

  @Test
  void aClientCertificateWithoutARouterCaOrWithoutItsKeyIsOneLine() {
    assertThatThrownBy(() -> parse(Map.of(), "--tls-cert", "a.crt", "--tls-key", "a.key"))
        .hasMessageStartingWith("--tls-cert (SIDETRACK_TLS_CERT) needs --router-ca");
    assertThatThrownBy(() -> parse(Map.of(), "--router-ca", "ca.crt", "--tls-cert", "a.crt"))
        .hasMessage("--tls-cert (SIDETRACK_TLS_CERT) needs --tls-key (SIDETRACK_TLS_KEY)");
  }
}
