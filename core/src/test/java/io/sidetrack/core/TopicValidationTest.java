package io.sidetrack.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Topics of an intercept: Kafka's legal names only, header-style rules only, and conflicts decided
 * by the one policy HTTP intercepts use.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TopicValidationTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  private final InterceptValidator validator = new InterceptValidator(Limits.DEFAULTS);
  private final InterceptDecider decider = new InterceptDecider(Limits.DEFAULTS);

  private static Intercept intercept(String id, String owner, MatchRules rules, String... topics) {
    return new Intercept(
            id,
            "orders",
            owner,
            rules,
            "router:8071",
            NOW,
            NOW.plusSeconds(30),
            FailureMode.FAIL_OPEN,
            Map.of())
        .withTopics(List.of(topics));
  }

  @ParameterizedTest
  @ValueSource(strings = {"orders", "orders.created", "a_b-c.D9", "__consumer_offsets"})
  void legalKafkaTopicNamesAreAccepted(String topic) {
    assertThat(InterceptValidator.topicNameProblem(topic)).isNull();
    assertThat(validator.problem(intercept("i-1", "ann", MatchRules.personal("ann"), topic), NOW))
        .isEmpty();
  }

  @Test
  void illegalTopicNamesAreRefusedWithKafkasRule() {
    assertThat(problem("orders created")).contains("invalid topic name 'orders created'");
    assertThat(problem("orders created")).contains("only ASCII letters, digits, '.', '_' and '-'");
    assertThat(problem("ordérs")).contains("invalid topic name");
    assertThat(problem("..")).contains("Kafka does not allow '.' or '..'");
    assertThat(problem(".")).contains("Kafka does not allow");
    assertThat(problem("")).contains("cannot be empty");
    assertThat(problem("t".repeat(250))).contains("250 characters, Kafka's limit is 249");
    assertThat(InterceptValidator.topicNameProblem("t".repeat(249))).isNull();
  }

  private String problem(String topic) {
    return validator
        .problem(intercept("i-1", "ann", MatchRules.personal("ann"), topic), NOW)
        .orElse(null);
  }

  @Test
  void pathMethodAndGlobalRulesCannotTakeRecords() {
    MatchRules withPath =
        new MatchRules(
            List.of(HeaderMatch.exact("x-sidetrack-id", "ann")), List.of(), "/api", null, false);
    MatchRules withMethod =
        new MatchRules(
            List.of(HeaderMatch.exact("x-sidetrack-id", "ann")), List.of(), null, "GET", false);

    assertThat(validator.problem(intercept("i-1", "ann", withPath, "t"), NOW))
        .hasValueSatisfying(p -> assertThat(p).contains("cannot have a path or method rule"));
    assertThat(validator.problem(intercept("i-1", "ann", withMethod, "t"), NOW)).isPresent();
    assertThat(validator.problem(intercept("i-1", "ann", MatchRules.globalRules(), "t"), NOW))
        .hasValueSatisfying(p -> assertThat(p).contains("a global intercept cannot take topics"));
    // the same rules without topics stay valid for HTTP
    assertThat(validator.problem(intercept("i-1", "ann", withPath), NOW)).isEmpty();
  }

  @Test
  void twoDevelopersWithTheSameRulesOnATopicConflictAsOverHttp() {
    Intercept ann = intercept("i-ann", "ann", MatchRules.header("x-sidetrack-id", "v"), "t");
    InterceptState held = decider.decide(ann, Optional.empty(), Optional.empty(), NOW).next();
    Intercept bob = intercept("i-bob", "bob", MatchRules.header("x-sidetrack-id", "v"), "t");

    Decision d = decider.decide(bob, Optional.empty(), Optional.of(held), NOW);

    assertThat(d.outcome()).isEqualTo(Decision.Outcome.REJECTED);
    assertThat(d.rejection()).isEqualTo(Decision.Rejection.CONFLICT);
    assertThat(d.reason()).contains("conflicts with intercept i-ann of ann");
    // the conflict key is the rules' signature, as for HTTP: topics do not change it
    assertThat(ann.match().signature()).isEqualTo(bob.match().signature());
  }

  @Test
  void addingATopicToAnActiveInterceptIsAnUpdate() {
    Intercept ann = intercept("i-ann", "ann", MatchRules.personal("ann"));
    InterceptState held = decider.decide(ann, Optional.empty(), Optional.empty(), NOW).next();

    Decision d =
        decider.decide(
            ann.withTopics(List.of("orders")), Optional.of(held), Optional.of(held), NOW);

    assertThat(d.outcome()).isEqualTo(Decision.Outcome.UPDATED);
    assertThat(d.next().intercept().topics()).containsExactly("orders");
  }
}
