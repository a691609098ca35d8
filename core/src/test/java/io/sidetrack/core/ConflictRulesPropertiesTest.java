package io.sidetrack.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of match signatures and conflict decisions. */
class ConflictRulesPropertiesTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  private final InterceptDecider decider = new InterceptDecider(Limits.DEFAULTS);

  @Provide
  Arbitrary<MatchRules> rules() {
    Arbitrary<String> names = Arbitraries.of("x-sidetrack-id", "x-user", "x-tenant", "X-Tenant");
    Arbitrary<String> values =
        Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(6);
    Arbitrary<HeaderMatch> header =
        Combinators.combine(names, Arbitraries.of(HeaderMatch.Kind.values()), values)
            .as(HeaderMatch::new);
    Arbitrary<BaggageMatch> baggage =
        Combinators.combine(Arbitraries.of("user", "team"), values).as(BaggageMatch::new);
    return Combinators.combine(
            header.list().ofMinSize(1).ofMaxSize(4),
            baggage.list().ofMaxSize(2),
            Arbitraries.of("/api", "/v2").injectNull(0.5),
            Arbitraries.of("GET", "post").injectNull(0.5))
        .as((h, b, p, m) -> new MatchRules(h, b, p, m, false));
  }

  @Property
  void signatureDoesNotDependOnRuleOrder(@ForAll("rules") MatchRules rules, @ForAll long seed) {
    java.util.Random random = new java.util.Random(seed);
    List<HeaderMatch> headers = new ArrayList<>(rules.headers());
    List<BaggageMatch> baggage = new ArrayList<>(rules.baggage());
    Collections.shuffle(headers, random);
    Collections.shuffle(baggage, random);
    MatchRules shuffled =
        new MatchRules(headers, baggage, rules.pathPrefix(), rules.method(), rules.global());
    assertThat(shuffled.signature()).isEqualTo(rules.signature());
  }

  @Property
  void rulesThatTakeDifferentRequestsHaveDifferentSignatures(
      @ForAll("rules") MatchRules a, @ForAll("rules") MatchRules b) {
    boolean sameConditions =
        new java.util.HashSet<>(a.headers()).equals(new java.util.HashSet<>(b.headers()))
            && new java.util.HashSet<>(a.baggage()).equals(new java.util.HashSet<>(b.baggage()))
            && java.util.Objects.equals(a.pathPrefix(), b.pathPrefix())
            && java.util.Objects.equals(a.method(), b.method());
    assertThat(a.signature().equals(b.signature())).isEqualTo(sameConditions);
  }

  @Property
  void anotherActiveInterceptWithTheSameSignatureAlwaysWins(
      @ForAll("rules") MatchRules rules, @ForAll boolean sameOwner) {
    Intercept holder = intercept("holder", "alice", rules);
    Intercept later = intercept("later", sameOwner ? "alice" : "bob", rules);
    Decision d =
        decider.decide(
            later,
            Optional.empty(),
            Optional.of(new InterceptState(holder, InterceptStatus.ACTIVE, null, NOW)),
            NOW);
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.REJECTED);
    assertThat(d.rejection()).isEqualTo(Decision.Rejection.CONFLICT);
    assertThat(d.reason()).contains("holder").contains("alice");
  }

  @Property
  void reRegisteringOwnIdIsNeverAConflict(
      @ForAll("rules") MatchRules before, @ForAll("rules") MatchRules after) {
    Intercept first = intercept("mine", "alice", before);
    InterceptState state = new InterceptState(first, InterceptStatus.ACTIVE, null, NOW);
    Decision d =
        decider.decide(
            intercept("mine", "alice", after),
            Optional.of(state),
            before.signature().equals(after.signature()) ? Optional.of(state) : Optional.empty(),
            NOW);
    assertThat(d.outcome()).isIn(Decision.Outcome.RENEWED, Decision.Outcome.UPDATED);
    assertThat(d.outcome() == Decision.Outcome.RENEWED).isEqualTo(before.equals(after));
  }

  @Provide
  Arbitrary<AnyOf> groups() {
    Arbitrary<String> values = Arbitraries.of("a", "b", "c");
    Arbitrary<HeaderMatch> header =
        Combinators.combine(
                Arbitraries.of("x-sidetrack-id", "X-User"),
                Arbitraries.of(HeaderMatch.Kind.values()),
                values)
            .as(HeaderMatch::new);
    Arbitrary<BaggageMatch> baggage =
        Combinators.combine(Arbitraries.of("sidetrack-id", "team"), values).as(BaggageMatch::new);
    return Combinators.combine(header.list().ofMaxSize(3), baggage.list().ofMaxSize(2))
        .as(AnyOf::new)
        .filter(g -> g.size() > 0);
  }

  @Property
  void signatureDoesNotDependOnTheOrderOfGroupsOrAlternatives(
      @ForAll("rules") MatchRules rules,
      @ForAll List<@net.jqwik.api.From("groups") AnyOf> groups,
      @ForAll long seed) {
    java.util.Random random = new java.util.Random(seed);
    List<AnyOf> shuffled = new ArrayList<>();
    for (AnyOf g : groups) {
      List<HeaderMatch> headers = new ArrayList<>(g.headers());
      List<BaggageMatch> baggage = new ArrayList<>(g.baggage());
      Collections.shuffle(headers, random);
      Collections.shuffle(baggage, random);
      shuffled.add(new AnyOf(headers, baggage));
    }
    Collections.shuffle(shuffled, random);
    assertThat(withGroups(rules, shuffled).signature())
        .isEqualTo(withGroups(rules, groups).signature());
  }

  @Property
  void groupsOfOneAlternativeHaveTheSignatureOfThoseConditionsRequired(
      @ForAll("rules") MatchRules rules, @ForAll("groups") AnyOf group) {
    List<AnyOf> singles = new ArrayList<>();
    group.headers().forEach(h -> singles.add(new AnyOf(List.of(h), List.of())));
    group.baggage().forEach(b -> singles.add(new AnyOf(List.of(), List.of(b))));
    List<HeaderMatch> headers = new ArrayList<>(rules.headers());
    headers.addAll(group.headers());
    List<BaggageMatch> baggage = new ArrayList<>(rules.baggage());
    baggage.addAll(group.baggage());
    assertThat(withGroups(rules, singles).signature())
        .isEqualTo(
            new MatchRules(headers, baggage, rules.pathPrefix(), rules.method(), false)
                .signature());
    // a group of several alternatives takes more requests than all of them required
    boolean several =
        new java.util.HashSet<>(group.headers()).size()
                + new java.util.HashSet<>(group.baggage()).size()
            > 1;
    assertThat(
            withGroups(rules, List.of(group))
                .signature()
                .equals(withGroups(rules, singles).signature()))
        .isEqualTo(!several);
  }

  private static MatchRules withGroups(MatchRules rules, List<AnyOf> groups) {
    return new MatchRules(
        rules.headers(), rules.baggage(), rules.pathPrefix(), rules.method(), false, groups);
  }

  @Property
  void twoGlobalInterceptsAlwaysConflict(@ForAll boolean sameOwner) {
    Intercept first = intercept("g1", "alice", MatchRules.globalRules());
    Decision d =
        decider.decide(
            intercept("g2", sameOwner ? "alice" : "bob", MatchRules.globalRules()),
            Optional.empty(),
            Optional.of(new InterceptState(first, InterceptStatus.ACTIVE, null, NOW)),
            NOW);
    assertThat(d.rejection()).isEqualTo(Decision.Rejection.CONFLICT);
  }

  private static Intercept intercept(String id, String owner, MatchRules rules) {
    return new Intercept(
        id,
        "orders",
        owner,
        rules,
        "router:9000",
        NOW,
        NOW.plusSeconds(15),
        FailureMode.FAIL_OPEN,
        Map.of());
  }
}
