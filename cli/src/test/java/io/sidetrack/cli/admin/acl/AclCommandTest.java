package io.sidetrack.cli.admin.acl;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.cli.Sidetrack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AclCommandTest {
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
  void showPrintsEachComponentsAclsUnderThePrefixAndApplicationIdGiven() {
    String[] r =
        run(
            Map.of("SIDETRACK_APPLICATION_ID", "rs-team1"),
            "acl",
            "show",
            "--topic-prefix",
            "team1.");
    assertThat(r[0]).as(r[2]).isEqualTo("0");
    assertThat(r[1])
        .contains("router (User:sidetrack-router)")
        .containsPattern("WRITE +TOPIC +LITERAL +team1\\.sidetrack\\.intercepts")
        .containsPattern("READ +GROUP +LITERAL +rs-team1\n")
        .containsPattern("WRITE +TRANSACTIONAL_ID +PREFIXED +rs-team1-\\*")
        .doesNotContain(" sidetrack.routes");
  }

  @Test
  void showPrintsKafkaAclsLinesForARenamedPrincipal() {
    String[] r =
        run(Map.of(), "acl", "show", "--kafka-acls", "--principal", "agent=User:CN=agent,O=shop");
    assertThat(r[0]).as(r[2]).isEqualTo("0");
    assertThat(r[1])
        .contains("# agent")
        .contains(
            "--allow-principal 'User:CN=agent,O=shop' --operation Write --topic 'sidetrack.agents'");
  }

  @Test
  void aBadPrincipalIsAUsageErrorOfOneLine() {
    String[] r = run(Map.of(), "acl", "show", "--principal", "proxy=User:p");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2].lines().findFirst())
        .hasValue(
            "sidetrack: invalid --principal (SIDETRACK_PRINCIPAL): 'proxy=User:p' (unknown"
                + " component 'proxy' (one of router, registry-stream, agent, audit, admin))");
  }

  @Test
  void aclWithoutSubcommandShowsUsage() {
    String[] r = run(Map.of(), "acl");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).contains("Usage: sidetrack acl").contains("show").contains("apply");
  }
}
