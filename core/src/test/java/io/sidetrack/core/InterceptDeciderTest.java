package io.sidetrack.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.trust.Keys;
import io.sidetrack.core.trust.RouteSigner;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.core.trust.Verification;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InterceptDeciderTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  private final InterceptDecider decider = new InterceptDecider(Limits.DEFAULTS);

  private static Intercept intercept(String id, String owner, MatchRules match) {
    return new Intercept(
        id,
        "orders",
        owner,
        match,
        "router:9000",
        NOW,
        NOW.plusSeconds(15),
        FailureMode.FAIL_OPEN,
        Map.of());
  }

  private static InterceptState active(Intercept i) {
    return new InterceptState(i, InterceptStatus.ACTIVE, null, NOW);
  }

  @Test
  void newInterceptIsCreated() {
    Decision d =
        decider.decide(
            intercept("a", "alice", MatchRules.header("x", "1")),
            Optional.empty(),
            Optional.empty(),
            NOW);
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.CREATED);
    assertThat(d.next().status()).isEqualTo(InterceptStatus.ACTIVE);
  }

  @Test
  void renewalKeepsTheFirstCreationTime() {
    Intercept first = intercept("a", "alice", MatchRules.header("x", "1"));
    Intercept renewal = first.withCreatedAt(NOW.plusSeconds(5)).withExpiresAt(NOW.plusSeconds(20));
    Decision d =
        decider.decide(renewal, Optional.of(active(first)), Optional.of(active(first)), NOW);
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.RENEWED);
    assertThat(d.next().intercept().createdAt()).isEqualTo(NOW);
    assertThat(d.next().intercept().expiresAt()).isEqualTo(NOW.plusSeconds(20));
  }

  @Test
  void expiredLeaseIsRejected() {
    Intercept late = intercept("a", "alice", MatchRules.header("x", "1")).withExpiresAt(NOW);
    Decision d = decider.decide(late, Optional.empty(), Optional.empty(), NOW);
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.REJECTED);
    assertThat(d.reason()).startsWith("lease already expired");
    assertThat(d.rejection()).isEqualTo(Decision.Rejection.INVALID);
  }

  @Test
  void leaseLongerThanTheLimitIsRejected() {
    Intercept tooLong =
        intercept("a", "alice", MatchRules.header("x", "1"))
            .withExpiresAt(NOW.plus(Duration.ofHours(2)));
    assertThat(decider.decide(tooLong, Optional.empty(), Optional.empty(), NOW).reason())
        .startsWith("lease too long");
  }

  @Test
  void globalInterceptCannotHaveHeaderRules() {
    MatchRules bad =
        new MatchRules(List.of(HeaderMatch.exact("x", "1")), List.of(), null, null, true);
    assertThat(
            decider
                .decide(intercept("g", "alice", bad), Optional.empty(), Optional.empty(), NOW)
                .reason())
        .contains("global");
  }

  @Test
  void interceptWithoutRulesIsRejected() {
    MatchRules none = new MatchRules(List.of(), List.of(), null, null, false);
    assertThat(
            decider
                .decide(intercept("a", "alice", none), Optional.empty(), Optional.empty(), NOW)
                .reason())
        .startsWith("no match rules");
  }

  @Test
  void badWorkloadNameIsRejected() {
    Intercept i =
        new Intercept(
            "a",
            "Orders/v2",
            "alice",
            MatchRules.header("x", "1"),
            "router:9000",
            NOW,
            NOW.plusSeconds(15),
            FailureMode.FAIL_OPEN,
            Map.of());
    assertThat(decider.decide(i, Optional.empty(), Optional.empty(), NOW).reason())
        .startsWith("invalid workload name 'Orders/v2'");
  }

  @Test
  void tooManyRulesAreRejected() {
    var headers =
        java.util.stream.IntStream.range(0, 17)
            .mapToObj(n -> HeaderMatch.exact("h" + n, "v"))
            .toList();
    MatchRules many = new MatchRules(headers, List.of(), null, null, false);
    assertThat(
            decider
                .decide(intercept("a", "alice", many), Optional.empty(), Optional.empty(), NOW)
                .reason())
        .startsWith("too many match rules: 17");
  }

  @Test
  void headerValueWithControlCharactersIsRejected() {
    assertThat(
            decider
                .decide(
                    intercept("a", "alice", MatchRules.header("x", "a\r\nb")),
                    Optional.empty(),
                    Optional.empty(),
                    NOW)
                .reason())
        .startsWith("invalid value for header x");
  }

  @Test
  void sameRejectionOnRenewalIsNotRepeated() {
    Intercept holder = intercept("a", "alice", MatchRules.header("x", "1"));
    Intercept loser = intercept("b", "bob", MatchRules.header("x", "1"));
    Decision first = decider.decide(loser, Optional.empty(), Optional.of(active(holder)), NOW);
    Decision second =
        decider.decide(
            loser.withExpiresAt(NOW.plusSeconds(20)),
            Optional.of(first.next()),
            Optional.of(active(holder)),
            NOW);
    assertThat(first.outcome()).isEqualTo(Decision.Outcome.REJECTED);
    assertThat(second.outcome()).isEqualTo(Decision.Outcome.STILL_REJECTED);
  }

  private static final KeyPair ROUTER = Keys.generate();
  private static final KeyPair ROTATED = Keys.generate();

  private final InterceptDecider trusting =
      new InterceptDecider(
          Limits.DEFAULTS,
          Optional.of(TrustedKeys.of(List.of(ROUTER.getPublic(), ROTATED.getPublic()))));

  @Test
  void unsignedRegistrationIsRejectedAsUntrustedWithTheReason() {
    Decision d =
        trusting.decide(
            intercept("a", "mallory", MatchRules.header("x-sidetrack-id", "victim")),
            Optional.empty(),
            Optional.empty(),
            NOW);
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.REJECTED);
    assertThat(d.rejection()).isEqualTo(Decision.Rejection.UNTRUSTED);
    assertThat(d.reason()).isEqualTo(Verification.REASON_PREFIX + "no signature");
  }

  @Test
  void forgedUpdateOfAnActiveInterceptKeepsTheActiveOne() {
    Intercept real =
        new RouteSigner(ROUTER).sign(intercept("a", "alice", MatchRules.header("x", "1")));
    Intercept forged =
        new Intercept(
            "a",
            "orders",
            "alice",
            real.match(),
            "evil:1",
            NOW,
            NOW.plusSeconds(15),
            FailureMode.FAIL_OPEN,
            Map.of(),
            real.signature());
    Decision d = trusting.decide(forged, Optional.of(active(real)), Optional.of(active(real)), NOW);
    assertThat(d.rejection()).isEqualTo(Decision.Rejection.UNTRUSTED);
    assertThat(d.next().intercept().target()).isEqualTo("router:9000");
    assertThat(d.next().isActive()).isTrue();
  }

  @Test
  void signedRegistrationIsCreatedAndARotatedKeyUpdatesIt() {
    Intercept first =
        new RouteSigner(ROUTER).sign(intercept("a", "alice", MatchRules.header("x", "1")));
    assertThat(trusting.decide(first, Optional.empty(), Optional.empty(), NOW).outcome())
        .isEqualTo(Decision.Outcome.CREATED);

    Intercept renewal = first.withExpiresAt(NOW.plusSeconds(20));
    assertThat(
            trusting
                .decide(renewal, Optional.of(active(first)), Optional.of(active(first)), NOW)
                .outcome())
        .isEqualTo(Decision.Outcome.RENEWED);

    Intercept resigned = new RouteSigner(ROTATED).sign(renewal);
    Decision d =
        trusting.decide(resigned, Optional.of(active(first)), Optional.of(active(first)), NOW);
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.UPDATED);
    assertThat(d.next().intercept().signature()).isEqualTo(resigned.signature());
  }

  @Test
  void signedRegistrationKeepsTheCreationTimeItsRouterSigned() {
    Intercept first =
        new RouteSigner(ROUTER).sign(intercept("a", "alice", MatchRules.header("x", "1")));
    Intercept later = new RouteSigner(ROUTER).sign(first.withCreatedAt(NOW.plusSeconds(5)));
    Decision d =
        trusting.decide(later, Optional.of(active(first)), Optional.of(active(first)), NOW);
    assertThat(d.next().intercept().createdAt()).isEqualTo(NOW.plusSeconds(5));
    assertThat(TrustedKeys.of(List.of(ROUTER.getPublic())).verify(d.next().intercept()).isTrusted())
        .isTrue();
  }
}
