package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class MatchOptionsTest {
  @Command(name = "test")
  static final class Holder {
    @Mixin MatchOptions match;
  }

  private static MatchOptions parse(String... args) {
    Holder holder = new Holder();
    new CommandLine(holder).parseArgs(args);
    return holder.match;
  }

  @Test
  void eachAnyOfIsOneGroupOfItsAlternatives() {
    MatchRules rules =
        parse(
                "--any-of",
                "header:X-Sidetrack-Id=me | baggage:sidetrack-id=me",
                "--any-of",
                "header-regex:x-team=pay.*|baggage:team=pay",
                "--header",
                "x-env=dev")
            .rules(List.of());
    assertThat(rules.headers()).containsExactly(HeaderMatch.exact("x-env", "dev"));
    assertThat(rules.anyOf())
        .containsExactly(
            new AnyOf(
                List.of(HeaderMatch.exact("x-sidetrack-id", "me")),
                List.of(new BaggageMatch("sidetrack-id", "me"))),
            new AnyOf(
                List.of(HeaderMatch.regex("x-team", "pay.*")),
                List.of(new BaggageMatch("team", "pay"))));
  }

  @Test
  void malformedGroupsAreOneLineErrorsNamingTheFlag() {
    Map<String, String> expected =
        Map.of(
            "header:x=1||baggage:k=v",
            "invalid --any-of 'header:x=1||baggage:k=v': an empty alternative (expected"
                + " header:NAME=VALUE, header-regex:NAME=RE2 or baggage:KEY=VALUE)",
            "cookie:x=1",
            "invalid --any-of 'cookie:x=1': 'cookie:x=1' is not an alternative (expected"
                + " header:NAME=VALUE, header-regex:NAME=RE2 or baggage:KEY=VALUE)",
            "x-sidetrack-id=me",
            "invalid --any-of 'x-sidetrack-id=me': 'x-sidetrack-id=me' is not an alternative"
                + " (expected header:NAME=VALUE, header-regex:NAME=RE2 or baggage:KEY=VALUE)",
            "header:x-sidetrack-id|baggage:k=v",
            "invalid --any-of 'header:x-sidetrack-id|baggage:k=v': alternative 'x-sidetrack-id':"
                + " expected NAME=VALUE",
            "",
            "invalid --any-of '': an empty alternative (expected header:NAME=VALUE,"
                + " header-regex:NAME=RE2 or baggage:KEY=VALUE)");
    expected.forEach(
        (group, message) ->
            assertThatThrownBy(() -> parse("--any-of", group).rules(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message));
  }

  @Test
  void noRuleMeansThePersonalInterceptNarrowedByTheMethod() {
    assertThat(parse().rulesOrPersonal("alice")).isEqualTo(MatchRules.personal("alice"));
    MatchRules posts = parse("--method", "post").rulesOrPersonal("alice");
    assertThat(posts.method()).isEqualTo("POST");
    assertThat(posts.anyOf()).isEqualTo(MatchRules.personal("alice").anyOf());
    assertThat(parse("--any-of", "baggage:k=v").rulesOrPersonal("alice"))
        .isEqualTo(
            new MatchRules(
                List.of(),
                List.of(),
                null,
                null,
                false,
                List.of(new AnyOf(List.of(), List.of(new BaggageMatch("k", "v"))))));
    assertThat(parse("--header", "x-a=1").rulesOrPersonal("alice"))
        .isEqualTo(MatchRules.header("x-a", "1"));
  }

  @Test
  void theBaggageFormIsOfferedOnlyWhereItCanStandInForTheHeader() {
    MatchRules personal = MatchRules.personal("alice");
    HeaderMatch header = personal.exactHeader().orElseThrow();
    assertThat(MatchOptions.baggageInstead(personal, header))
        .contains(new BaggageMatch("sidetrack-id", "alice"));
    MatchRules required = MatchRules.header("x-sidetrack-id", "alice");
    assertThat(MatchOptions.baggageInstead(required, header)).isEmpty();
  }

  @Test
  void baggageMembersArePercentEncodedWhereTheFormatRequires() {
    assertThat(MatchOptions.baggageMember(new BaggageMatch("sidetrack-id", "alice@example.com")))
        .isEqualTo("sidetrack-id=alice@example.com");
    assertThat(MatchOptions.baggageMember(new BaggageMatch("k", "a b,c;d%e\"f\\g")))
        .isEqualTo("k=a%20b%2Cc%3Bd%25e%22f%5Cg");
    assertThat(MatchOptions.baggageMember(new BaggageMatch("k", "é"))).isEqualTo("k=%C3%A9");
  }

  @Test
  void helpExplainsAnyOf() {
    StringWriter out = new StringWriter();
    CommandLine cli = Sidetrack.commandLine(name -> null);
    cli.setOut(new PrintWriter(out, true));
    cli.execute("intercept", "--help");
    // picocli may wrap a line after a ':'
    String help = out.toString().replaceAll("\\s+", " ").replace(": ", ":");
    assertThat(help)
        .contains("--any-of=ALT|ALT...")
        .contains("header:NAME=VALUE, header-regex:NAME=RE2 or baggage:KEY=VALUE")
        .contains("Repeatable:every group must hold")
        .contains("header x-sidetrack-id or W3C baggage member sidetrack-id");
    StringWriter explain = new StringWriter();
    cli.setOut(new PrintWriter(explain, true));
    cli.execute("explain", "--help");
    assertThat(explain.toString().replaceAll("\\s+", " "))
        .contains("--baggage=KEY=VALUE")
        .contains("the alternative that matched");
  }
}
