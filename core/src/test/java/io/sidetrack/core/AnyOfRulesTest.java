package io.sidetrack.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Any-of groups in signatures, condition counts and validation. */
class AnyOfRulesTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  private static final HeaderMatch ALICE_HEADER = HeaderMatch.exact("x-sidetrack-id", "alice");
  private static final BaggageMatch ALICE_BAGGAGE = new BaggageMatch("sidetrack-id", "alice");
  private final InterceptValidator validator = new InterceptValidator(Limits.DEFAULTS);

  private static MatchRules groups(AnyOf... groups) {
    return new MatchRules(List.of(), List.of(), null, null, false, List.of(groups));
  }

  private static MatchRules required(List<HeaderMatch> headers, List<BaggageMatch> baggage) {
    return new MatchRules(headers, baggage, null, null, false);
  }

  private Optional<String> problem(MatchRules rules) {
    return validator.problem(
        new Intercept(
            "i-1",
            "orders",
            "alice",
            rules,
            "router:9000",
            NOW,
            NOW.plusSeconds(30),
            FailureMode.FAIL_OPEN,
            Map.of()),
        NOW);
  }

  @Test
  void personalRulesAreOneGroupOfTheDefaultHeaderOrBaggageMember() {
    MatchRules personal = MatchRules.personal("alice");
    assertThat(personal.anyOf())
        .containsExactly(new AnyOf(List.of(ALICE_HEADER), List.of(ALICE_BAGGAGE)));
    assertThat(personal.exactHeader()).contains(ALICE_HEADER);
    assertThat(personal.conditionCount()).isEqualTo(2);
    assertThat(problem(personal)).isEmpty();
  }

  @Test
  void orderOfGroupsAndOfAlternativesDoesNotChangeTheSignature() {
    AnyOf ab =
        new AnyOf(
            List.of(HeaderMatch.exact("x-a", "1"), HeaderMatch.regex("x-b", "b.*")),
            List.of(new BaggageMatch("k", "v")));
    AnyOf ba =
        new AnyOf(
            List.of(HeaderMatch.regex("X-B", "b.*"), HeaderMatch.exact("x-a", "1")),
            List.of(new BaggageMatch("k", "v")));
    AnyOf other = new AnyOf(List.of(HeaderMatch.exact("x-c", "3")), List.of(ALICE_BAGGAGE));
    assertThat(groups(ab, other).signature()).isEqualTo(groups(other, ba).signature());
    assertThat(groups(ab, ab).signature()).isEqualTo(groups(ab).signature());
  }

  @Test
  void aGroupOfOneAlternativeIsThatConditionWrittenPlainly() {
    assertThat(groups(new AnyOf(List.of(ALICE_HEADER), List.of())).signature())
        .isEqualTo(MatchRules.header("x-sidetrack-id", "alice").signature());
    assertThat(groups(new AnyOf(List.of(), List.of(ALICE_BAGGAGE))).signature())
        .isEqualTo(required(List.of(), List.of(ALICE_BAGGAGE)).signature());
    assertThat(groups(new AnyOf(List.of(ALICE_HEADER, ALICE_HEADER), List.of())).signature())
        .isEqualTo(MatchRules.header("x-sidetrack-id", "alice").signature());
  }

  @Test
  void eitherIsNotBothNorEitherAlone() {
    String either = MatchRules.personal("alice").signature();
    assertThat(either)
        .isNotEqualTo(required(List.of(ALICE_HEADER), List.of(ALICE_BAGGAGE)).signature())
        .isNotEqualTo(MatchRules.header("x-sidetrack-id", "alice").signature())
        .isNotEqualTo(required(List.of(), List.of(ALICE_BAGGAGE)).signature())
        .isNotEqualTo(MatchRules.personal("bob").signature());
    // two groups of one alternative each are two required conditions
    assertThat(
            groups(
                    new AnyOf(List.of(ALICE_HEADER), List.of()),
                    new AnyOf(List.of(), List.of(ALICE_BAGGAGE)))
                .signature())
        .isEqualTo(required(List.of(ALICE_HEADER), List.of(ALICE_BAGGAGE)).signature());
  }

  @Test
  void rulesWithoutGroupsKeepTheSignatureTheyHadBeforeGroups() {
    // registry-stream keys its conflict store by signature: these were computed before any-of
    assertThat(MatchRules.header("x-sidetrack-id", "alice").signature())
        .isEqualTo("9fd174798586a0e5ed719e6137392d7a4c359c17ae5e3049c50afedba45c2b65");
    assertThat(
            new MatchRules(
                    List.of(HeaderMatch.exact("x-a", "1"), HeaderMatch.regex("x-b", "b.*")),
                    List.of(new BaggageMatch("tenant", "t1")),
                    "/api",
                    "post",
                    false)
                .signature())
        .isEqualTo("70a2529efac6cb90db9d2e14183bba854748f61d7ffe1e71d78b96bb683b027c");
  }

  @Test
  void everyAlternativeCountsTowardsTheLimitOfConditions() {
    List<HeaderMatch> sixteen =
        IntStream.range(0, 16).mapToObj(n -> HeaderMatch.exact("h" + n, "v")).toList();
    assertThat(problem(groups(new AnyOf(sixteen, List.of())))).isEmpty();
    MatchRules seventeen =
        new MatchRules(
            List.of(HeaderMatch.exact("x-one-more", "1")),
            List.of(),
            null,
            null,
            false,
            List.of(new AnyOf(sixteen, List.of())));
    assertThat(seventeen.conditionCount()).isEqualTo(17);
    assertThat(problem(seventeen))
        .hasValue("too many match rules: 17 (each any-of alternative counts), the limit is 16");
  }

  @Test
  void anEmptyGroupIsRejected() {
    assertThat(problem(groups(new AnyOf(List.of(), List.of()))))
        .hasValue("empty any-of group: give it at least one header or baggage alternative");
    assertThat(
            problem(
                new MatchRules(
                    List.of(ALICE_HEADER),
                    List.of(),
                    null,
                    null,
                    false,
                    List.of(new AnyOf(List.of(), List.of())))))
        .hasValue("empty any-of group: give it at least one header or baggage alternative");
  }

  @Test
  void alternativesAreCheckedLikePlainConditions() {
    assertThat(problem(groups(new AnyOf(List.of(HeaderMatch.exact("bad name", "v")), List.of()))))
        .hasValue("invalid header name 'bad name': must be an RFC 9110 token");
    assertThat(problem(groups(new AnyOf(List.of(HeaderMatch.exact("x", "a\r\nb")), List.of()))))
        .hasValue("invalid value for header x: use visible ASCII, no leading or trailing space");
    assertThat(problem(groups(new AnyOf(List.of(HeaderMatch.regex("x", "(unclosed")), List.of()))))
        .get()
        .asString()
        .startsWith("invalid regex for header x: ");
    assertThat(problem(groups(new AnyOf(List.of(), List.of(new BaggageMatch("a key", "v"))))))
        .hasValue("invalid baggage key 'a key': must be an RFC 9110 token");
    assertThat(problem(groups(new AnyOf(List.of(), List.of(new BaggageMatch("k", ""))))))
        .hasValue("value of baggage k is empty");
    assertThat(
            problem(groups(new AnyOf(List.of(HeaderMatch.exact("x", "v".repeat(257))), List.of()))))
        .hasValue("value of header x too long: 257 characters, the limit is 256");
  }

  @Test
  void aGlobalInterceptCannotHaveAnyOfGroups() {
    MatchRules bad =
        new MatchRules(
            List.of(),
            List.of(),
            null,
            null,
            true,
            List.of(new AnyOf(List.of(ALICE_HEADER), List.of(ALICE_BAGGAGE))));
    assertThat(problem(bad))
        .hasValue(
            "a global intercept takes every request no personal intercept took: it cannot have"
                + " header, baggage or any-of rules");
    assertThat(problem(MatchRules.globalRules())).isEmpty();
  }
}
