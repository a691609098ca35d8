package io.sidetrack.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

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
            Arbitraries.just(MatchRules.globalRules()));
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

  @Property
  void mostSpecificMatchingRouteWinsAndTiesGoToTheOlder(
      @ForAll("routeSets") List<Route> routes,
      @ForAll("ids") String id,
      @ForAll("paths") String path) {
    TestRequest request = TestRequest.get(path);
    if (!id.isEmpty()) {
      request.header("x-id", id);
    }
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
    TestRequest request = TestRequest.get(path);
    if (!id.isEmpty()) {
      request.header("x-id", id);
    }
    assertThat(table.size()).isEqualTo(expected.size());
    assertThat(table.routeFor(request).map(m -> m.route().interceptId()))
        .isEqualTo(
            RouteTable.compile(expected.values())
                .routeFor(request)
                .map(m -> m.route().interceptId()));
  }

  @Property(tries = 300)
  void changesOverACompiledBaseAndTheirFoldingEqualCompilingTheResult(
      @ForAll("routeSets") List<Route> base,
      @ForAll("routeSets") List<Route> others,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 200) int churn,
      @ForAll("ids") String id,
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
    TestRequest request = TestRequest.get(path);
    if (!id.isEmpty()) {
      request.header("x-id", id);
    }
    assertThat(table.size()).isEqualTo(expected.size());
    for (String each : expected.keySet()) {
      assertThat(table.route(each)).contains(expected.get(each));
    }
    assertThat(table.routeFor(request).map(m -> m.route().interceptId()))
        .isEqualTo(
            RouteTable.compile(expected.values())
                .routeFor(request)
                .map(m -> m.route().interceptId()));
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
      boolean any =
          request.headerValues(h.name()).stream()
              .anyMatch(
                  v ->
                      h.kind() == HeaderMatch.Kind.EXACT
                          ? v.equals(h.value())
                          : java.util.regex.Pattern.matches(h.value(), v));
      if (!any) {
        return false;
      }
    }
    return true;
  }
}
