package io.sidetrack.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import java.util.List;
import org.junit.jupiter.api.Test;

class DescribeTest {
  @Test
  void aGroupReadsAsItsAlternativesJoinedByBars() {
    assertThat(Describe.rules(MatchRules.personal("alice")))
        .isEqualTo("x-sidetrack-id=alice|baggage:sidetrack-id=alice");
  }

  @Test
  void groupsFollowTheRequiredConditions() {
    MatchRules rules =
        new MatchRules(
            List.of(HeaderMatch.regex("x-team", "pay.*")),
            List.of(new BaggageMatch("env", "dev")),
            "/api",
            "GET",
            false,
            List.of(
                new AnyOf(
                    List.of(HeaderMatch.exact("x-sidetrack-id", "a")),
                    List.of(new BaggageMatch("sidetrack-id", "a"))),
                new AnyOf(List.of(HeaderMatch.regex("x-user", "a.*")), List.of())));
    assertThat(Describe.rules(rules))
        .isEqualTo(
            "x-team~pay.* baggage:env=dev x-sidetrack-id=a|baggage:sidetrack-id=a x-user~a.*"
                + " path:/api* method:GET");
  }

  @Test
  void rulesWithoutGroupsReadAsBefore() {
    assertThat(Describe.rules(MatchRules.header("x-sidetrack-id", "you")))
        .isEqualTo("x-sidetrack-id=you");
    assertThat(Describe.rules(MatchRules.globalRules())).isEqualTo("global");
  }
}
