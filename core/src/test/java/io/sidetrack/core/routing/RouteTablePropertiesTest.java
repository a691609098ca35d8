package io.sidetrack.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The table agrees with a plain reading of the precedence rules on random route sets. */
class RouteTablePropertiesTest {

  @Provide
  Arbitrary<List<Route>> routeSets() {
    Arbitrary<String> values = Arbitraries.of("a", "b", "c");
    Arbitrary<MatchRules> rules =
        Arbitraries.oneOf(
            values.map(v -> MatchRules.header("x-id", v)),
            values.map(
                v -> RouteTableTest.rules(List.of(HeaderMatch.regex("x-id", v + ".*")), null)),
            Arbitraries.of("/a", "/b").map(p -> RouteTableTest.rules(List.of(), p)),
            Combinators.combine(values, Arbitraries.of("/a", "/b"))
                .as((v, p) -> RouteTableTest.rules(List.of(HeaderMatch.exact("x-id", v)), p)),
            Arbitraries.just(MatchRules.globalRules()),
            values.map(v -> anyOf(List.of(HeaderMatch.exact("x-id", v)), v, null)),
            values.map(v -> anyOf(List.of(HeaderMatch.regex("x-id", v + ".*")), v, null)),
            values.map(v -> anyOf(List.of(), v, null)),
            Combinators.combine(values, Arbitraries.of("/a", "/b"))
                .as((v, p) -> anyOf(List.of(HeaderMatch.exact("x-id", v)), v, p)),
            Combinators.combine(values, values)
                .as(
                    (v, w) ->
                        new MatchRules(
                            List.of(),
                            List.of(),
                            null,
                            null,
                            false,
                            List.of(
                                new AnyOf(
                                    List.of(HeaderMatch.exact("x-id", v)),
                                    List.of(new BaggageMatch("id", v))),
                                new AnyOf(
                                    List.of(HeaderMatch.exact("x-other", w)),
                                    List.of(new BaggageMatch("id", w)))))));
    return Combinators.combine(rules, Arbitraries.integers().between(0, 1000))
        .as((r, age) -> r)
        .list()
        .ofMaxSize(8)
        .map(
            list -> {
              List<Route> routes = new ArrayList<>();
              for (int i = 0; i < list.size(); i++) {
                routes.add(RouteTableTest.route("r" + i, list.get(i), (i * 37) % 11));
              }
              return routes;
            });
  }

  /** An any-of group of {@code headers} or baggage {@code id=value}, with a path prefix or none. */
  private static MatchRules anyOf(List<HeaderMatch> headers, String value, String path) {
    return new MatchRules(
        List.of(),
        List.of(),
        path,
        null,
        false,
        List.of(new AnyOf(headers, List.of(new BaggageMatch("id", value)))));
  }

  private static TestRequest request(String path, String id, String baggageId) {
    TestRequest request = TestRequest.get(path);
    if (!id.isEmpty()) {
      request.header("x-id", id);
      request.header("x-other", id);
    }
    if (!baggageId.isEmpty()) {
      request.header("baggage", "team=t, id=" + baggageId);
    }
    return request;
  }

  @Property
  void mostSpecificMatchingRouteWinsAndTiesGoToTheOlder(
      @ForAll("routeSets") List<Route> routes,
      @ForAll("ids") String id,
      @ForAll("ids") String baggageId,
      @ForAll("paths") String path) {
    TestRequest request = request(path, id, baggageId);
    Optional<String> expected =
        routes.stream()
            .filter(r -> naiveMatches(r.match(), request))
            .min(
                Comparator.comparing((Route r) -> Precedence.of(r.match()))
                    .thenComparing(Route::createdAt)
                    .thenComparing(Route::interceptId))
            .map(Route::interceptId);
    assertThat(RouteTable.compile(routes).routeFor(request).map(m -> m.route().interceptId()))
        .isEqualTo(expected);
  }

  @Property
  void addingAndRemovingRoutesOneByOneEqualsCompilingTheResult(
      @ForAll("routeSets") List<Route> routes,
      @ForAll("routeSets") List<Route> others,
      @ForAll("ids") String id,
      @ForAll("ids") String baggageId,
      @ForAll("paths") String path) {
    // add all, replace some ids with other rules, remove every third
    RouteTable table = RouteTable.empty();
    java.util.Map<String, Route> expected = new java.util.LinkedHashMap<>();
    for (Route r : routes) {
      table = table.with(r);
      expected.put(r.interceptId(), r);
    }
    for (Route r : others) {
      table = table.with(r);
      expected.put(r.interceptId(), r);
    }
    for (int i = 0; i < routes.size(); i += 3) {
      table = table.without(routes.get(i).interceptId());
      expected.remove(routes.get(i).interceptId());
    }
    TestRequest request = request(path, id, baggageId);
    assertThat(table.size()).isEqualTo(expected.size());
    assertDecidesAsCompiled(table, expected.values(), request);
  }

  @Property(tries = 300)
  void changesOverACompiledBaseAndTheirFoldingEqualCompilingTheResult(
      @ForAll("routeSets") List<Route> base,
      @ForAll("routeSets") List<Route> others,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 200) int churn,
      @ForAll("ids") String id,
      @ForAll("ids") String baggageId,
      @ForAll("paths") String path) {
    // a compiled base, then changes over it: replacements, removals, and enough churn to cross
    // the point where changes are folded into a new base
    RouteTable table = RouteTable.compile(base);
    java.util.Map<String, Route> expected = new java.util.LinkedHashMap<>();
    base.forEach(r -> expected.put(r.interceptId(), r));
    for (int round = 0; round <= churn / Math.max(1, others.size() + 1); round++) {
      for (Route r : others) {
        table = table.with(r);
        expected.put(r.interceptId(), r);
      }
      for (int i = round % 3; i < base.size(); i += 3) {
        table = table.without(base.get(i).interceptId());
        expected.remove(base.get(i).interceptId());
      }
      for (int i = (round + 1) % 2; i < base.size(); i += 2) {
        table = table.with(base.get(i));
        expected.put(base.get(i).interceptId(), base.get(i));
      }
    }
    TestRequest request = request(path, id, baggageId);
    assertThat(table.size()).isEqualTo(expected.size());
    for (String each : expected.keySet()) {
      assertThat(table.route(each)).contains(expected.get(each));
    }
    assertDecidesAsCompiled(table, expected.values(), request);
  }

  @Property(tries = 300)
  void aFirstTableWithItsExactRoutesDeferredRoutesAsTheCompiledOneBeforeAndAfterChanges(
      @ForAll("routeSets") List<Route> base,
      @ForAll("routeSets") List<Route> others,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 200) int churn,
      @ForAll("ids") String id,
      @ForAll("ids") String baggageId,
      @ForAll("paths") String path) {
    // every exact route waits to be decoded; the others are put whole, as a new agent does
    java.util.Map<String, Integer> decodes = new java.util.HashMap<>();
    RouteTableBuilder builder = RouteTable.builder(base.size());
    for (Route r : base) {
      if (RouteTableBuilder.canDefer(r.match())) {
        builder.putDeferred(
            r.interceptId(),
            r.createdAt(),
            r.match(),
            () -> {
              decodes.merge(r.interceptId(), 1, Integer::sum);
              return r;
            });
      } else {
        builder.put(r);
      }
    }
    RouteTable table = builder.build();
    java.util.Map<String, Route> expected = new java.util.LinkedHashMap<>();
    base.forEach(r -> expected.put(r.interceptId(), r));
    assertThat(decodes).isEmpty();
    TestRequest request = request(path, id, baggageId);
    assertDecidesAsCompiled(table, expected.values(), request);
    // changes over it, and enough churn to fold them, with routes still deferred, into a new base
    for (int round = 0; round <= churn / Math.max(1, others.size() + 1); round++) {
      for (Route r : others) {
        table = table.with(r);
        expected.put(r.interceptId(), r);
      }
      for (int i = round % 2; i < base.size(); i += 2) {
        table = table.without(base.get(i).interceptId());
        expected.remove(base.get(i).interceptId());
      }
    }
    assertThat(table.size()).isEqualTo(expected.size());
    assertDecidesAsCompiled(table, expected.values(), request);
    for (String each : expected.keySet()) {
      assertThat(table.route(each)).contains(expected.get(each));
    }
    // each deferred route was decoded at most once, however often it was needed
    assertThat(decodes.values()).allMatch(n -> n == 1);
  }

  /** {@code table} routes {@code request} as a table compiled from {@code routes} in one pass. */
  private static void assertDecidesAsCompiled(
      RouteTable table, java.util.Collection<Route> routes, TestRequest request) {
    assertThat(table.routeFor(request).map(RouteTablePropertiesTest::decision))
        .isEqualTo(
            RouteTable.compile(routes).routeFor(request).map(RouteTablePropertiesTest::decision));
  }

  /** The route that took a request, with why. */
  private static String decision(RouteMatch m) {
    return m.route().interceptId() + ": " + m.rule() + " [" + m.precedence() + "]";
  }

  @Provide
  Arbitrary<String> ids() {
    return Arbitraries.of("", "a", "b", "c", "ab", "z");
  }

  @Provide
  Arbitrary<String> paths() {
    return Arbitraries.of("/", "/a", "/a/x", "/b", "/c");
  }

  private static boolean naiveMatches(MatchRules m, TestRequest request) {
    if (m.global()) {
      return true;
    }
    if (m.pathPrefix() != null && !request.path().startsWith(m.pathPrefix())) {
      return false;
    }
    for (HeaderMatch h : m.headers()) {
      if (!naiveMatches(h, request)) {
        return false;
      }
    }
    for (AnyOf group : m.anyOf()) {
      if (group.headers().stream().noneMatch(h -> naiveMatches(h, request))
          && group.baggage().stream().noneMatch(b -> naiveHas(b, request))) {
        return false;
      }
    }
    return true;
  }

  private static boolean naiveMatches(HeaderMatch h, TestRequest request) {
    return request.headerValues(h.name()).stream()
        .anyMatch(
            v ->
                h.kind() == HeaderMatch.Kind.EXACT
                    ? v.equals(h.value())
                    : java.util.regex.Pattern.matches(h.value(), v));
  }

  private static boolean naiveHas(BaggageMatch b, TestRequest request) {
    return request.headerValues("baggage").stream()
        .flatMap(header -> java.util.Arrays.stream(header.split(",")))
        .map(String::trim)
        .anyMatch(member -> member.equals(b.key() + "=" + b.value()));
  }
}
