package io.sidetrack.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTableTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  static Route route(String id, MatchRules match, int ageSeconds) {
    return new Route(
        id,
        "orders",
        "dev-" + id,
        match,
        "router:9000",
        T0.minusSeconds(ageSeconds),
        FailureMode.FAIL_OPEN);
  }

  static MatchRules rules(List<HeaderMatch> headers, String path) {
    return new MatchRules(headers, List.of(), path, null, false);
  }

  private static String routed(RouteTable table, TestRequest request) {
    return table.routeFor(request).map(m -> m.route().interceptId()).orElse("app");
  }

  @Test
  void routesMatchedHeaderToItsInterceptAndTheRestToTheApp() {
    RouteTable table =
        RouteTable.compile(
            List.of(
                route("alice", MatchRules.header("x-sidetrack-id", "alice"), 0),
                route("bob", MatchRules.header("x-sidetrack-id", "bob"), 0)));
    assertThat(routed(table, TestRequest.get("/").header("X-Sidetrack-Id", "alice")))
        .isEqualTo("alice");
    assertThat(routed(table, TestRequest.get("/").header("x-sidetrack-id", "bob")))
        .isEqualTo("bob");
    assertThat(routed(table, TestRequest.get("/").header("x-sidetrack-id", "carol")))
        .isEqualTo("app");
    assertThat(routed(table, TestRequest.get("/"))).isEqualTo("app");
  }

  @Test
  void exactBeatsRegexBeatsPathBeatsGlobal() {
    RouteTable table =
        RouteTable.compile(
            List.of(
                route("global", MatchRules.globalRules(), 100),
                route("path", rules(List.of(), "/api"), 90),
                route("regex", rules(List.of(HeaderMatch.regex("x-user", "al.*")), null), 80),
                route("exact", MatchRules.header("x-user", "alice"), 0)));
    assertThat(routed(table, TestRequest.get("/api").header("x-user", "alice"))).isEqualTo("exact");
    assertThat(routed(table, TestRequest.get("/api").header("x-user", "albert")))
        .isEqualTo("regex");
    assertThat(routed(table, TestRequest.get("/api/x").header("x-user", "bob"))).isEqualTo("path");
    assertThat(routed(table, TestRequest.get("/other"))).isEqualTo("global");
  }

  @Test
  void regexMatchesTheWholeValue() {
    RouteTable table =
        RouteTable.compile(
            List.of(route("r", rules(List.of(HeaderMatch.regex("x-user", "al")), null), 0)));
    assertThat(routed(table, TestRequest.get("/").header("x-user", "al"))).isEqualTo("r");
    assertThat(routed(table, TestRequest.get("/").header("x-user", "alice"))).isEqualTo("app");
  }

  @Test
  void conditionsAreAnded() {
    RouteTable table =
        RouteTable.compile(
            List.of(
                route(
                    "both",
                    new MatchRules(
                        List.of(HeaderMatch.exact("x-sidetrack-id", "a")),
                        List.of(),
                        "/api",
                        "POST",
                        false),
                    0)));
    assertThat(routed(table, TestRequest.get("/api").method("POST").header("x-sidetrack-id", "a")))
        .isEqualTo("both");
    assertThat(routed(table, TestRequest.get("/api").header("x-sidetrack-id", "a")))
        .isEqualTo("app");
    assertThat(routed(table, TestRequest.get("/web").method("POST").header("x-sidetrack-id", "a")))
        .isEqualTo("app");
  }

  @Test
  void headerThatAppearsTwiceMatchesOnEveryValue() {
    RouteTable table =
        RouteTable.compile(
            List.of(route("alice", MatchRules.header("x-sidetrack-id", "alice"), 0)));
    assertThat(
            routed(
                table,
                TestRequest.get("/")
                    .header("x-sidetrack-id", "zed")
                    .header("x-sidetrack-id", "alice")))
        .isEqualTo("alice");
  }

  @Test
  void tiesGoToTheOlderIntercept() {
    RouteTable table =
        RouteTable.compile(
            List.of(
                route("younger", rules(List.of(), "/api"), 10),
                route("older", rules(List.of(), "/api/v1"), 20)));
    assertThat(routed(table, TestRequest.get("/api/v1/x"))).isEqualTo("older");
  }

  @Test
  void baggageMembersAreMatchedPercentDecoded() {
    RouteTable table =
        RouteTable.compile(
            List.of(
                route(
                    "b",
                    new MatchRules(
                        List.of(), List.of(new BaggageMatch("user", "a b")), null, null, false),
                    0)));
    assertThat(routed(table, TestRequest.get("/").header("baggage", "team=x, user=a%20b;prop=1")))
        .isEqualTo("b");
    assertThat(routed(table, TestRequest.get("/").header("baggage", "user=ab"))).isEqualTo("app");
  }

  @Test
  void explainsTheRuleThatDecided() {
    RouteTable table =
        RouteTable.compile(
            List.of(route("alice", MatchRules.header("x-sidetrack-id", "alice"), 0)));
    RouteMatch match = table.routeFor(TestRequest.get("/").header("x-sidetrack-id", "alice")).get();
    assertThat(match.precedence()).isEqualTo(Precedence.EXACT_HEADER);
    assertThat(match.rule()).isEqualTo("header x-sidetrack-id = alice");
  }

  private static MatchRules withGroups(List<HeaderMatch> headers, String path, AnyOf... groups) {
    return new MatchRules(headers, List.of(), path, null, false, List.of(groups));
  }

  private static AnyOf headerOrBaggage(String header, String key, String value) {
    return new AnyOf(
        List.of(HeaderMatch.exact(header, value)), List.of(new BaggageMatch(key, value)));
  }

  private static String rule(RouteTable table, TestRequest request) {
    return table.routeFor(request).map(RouteMatch::rule).orElse("app");
  }

  private static RouteTable personalTable() {
    return RouteTable.compile(
        List.of(
            route("alice", MatchRules.personal("alice"), 0),
            route("bob", MatchRules.personal("bob"), 0)));
  }

  @Test
  void personalInterceptTakesARequestWithOnlyTheHeader() {
    RouteTable table = personalTable();
    assertThat(routed(table, TestRequest.get("/").header("x-sidetrack-id", "alice")))
        .isEqualTo("alice");
    assertThat(rule(table, TestRequest.get("/").header("x-sidetrack-id", "alice")))
        .isEqualTo("header x-sidetrack-id = alice");
  }

  @Test
  void personalInterceptTakesARequestWithOnlyTheBaggageMember() {
    RouteTable table = personalTable();
    TestRequest request = TestRequest.get("/").header("baggage", "team=x,sidetrack-id=bob;p=1");
    assertThat(routed(table, request)).isEqualTo("bob");
    assertThat(rule(table, request)).isEqualTo("baggage sidetrack-id = bob");
    // percent-decoded, as plain baggage rules are
    RouteTable spaced = RouteTable.compile(List.of(route("spaced", MatchRules.personal("a b"), 0)));
    assertThat(routed(spaced, TestRequest.get("/").header("baggage", "sidetrack-id=a%20b")))
        .isEqualTo("spaced");
  }

  @Test
  void requestWithBothNamesTheHeaderAndOneWithNeitherGoesToTheApp() {
    RouteTable table = personalTable();
    TestRequest both =
        TestRequest.get("/")
            .header("baggage", "sidetrack-id=alice")
            .header("x-sidetrack-id", "alice");
    assertThat(routed(table, both)).isEqualTo("alice");
    assertThat(rule(table, both)).isEqualTo("header x-sidetrack-id = alice");
    assertThat(routed(table, TestRequest.get("/"))).isEqualTo("app");
    assertThat(routed(table, TestRequest.get("/").header("baggage", "sidetrack-id=carol")))
        .isEqualTo("app");
    // the member's key must be the group's, not merely its value
    assertThat(routed(table, TestRequest.get("/").header("baggage", "user=alice")))
        .isEqualTo("app");
  }

  @Test
  void headerAndBaggageOfDifferentDevelopersGoToTheOlderIntercept() {
    RouteTable table =
        RouteTable.compile(
            List.of(
                route("alice", MatchRules.personal("alice"), 10),
                route("bob", MatchRules.personal("bob"), 20)));
    TestRequest mixed =
        TestRequest.get("/")
            .header("x-sidetrack-id", "alice")
            .header("baggage", "sidetrack-id=bob");
    assertThat(routed(table, mixed)).isEqualTo("bob");
    assertThat(rule(table, mixed)).isEqualTo("baggage sidetrack-id = bob");
  }

  @Test
  void everyGroupMustHoldByOneOfItsAlternatives() {
    RouteTable table =
        RouteTable.compile(
            List.of(
                route(
                    "tenant-alice",
                    withGroups(
                        List.of(),
                        null,
                        headerOrBaggage("x-tenant", "tenant", "t1"),
                        headerOrBaggage("x-sidetrack-id", "sidetrack-id", "alice")),
                    0)));
    assertThat(routed(table, TestRequest.get("/").header("x-sidetrack-id", "alice")))
        .isEqualTo("app");
    assertThat(routed(table, TestRequest.get("/").header("baggage", "tenant=t1"))).isEqualTo("app");
    TestRequest both =
        TestRequest.get("/").header("baggage", "tenant=t1").header("x-sidetrack-id", "alice");
    assertThat(routed(table, both)).isEqualTo("tenant-alice");
    assertThat(rule(table, both))
        .isEqualTo("baggage tenant = t1 and header x-sidetrack-id = alice");
    assertThat(
            rule(
                table,
                TestRequest.get("/")
                    .header("x-tenant", "t1")
                    .header("baggage", "sidetrack-id=alice")))
        .isEqualTo("header x-tenant = t1 and baggage sidetrack-id = alice");
  }

  @Test
  void requiredConditionsAndGroupsAreAnded() {
    RouteTable table =
        RouteTable.compile(
            List.of(
                route(
                    "r",
                    withGroups(
                        List.of(HeaderMatch.exact("x-team", "pay")),
                        "/api",
                        headerOrBaggage("x-sidetrack-id", "sidetrack-id", "alice")),
                    0)));
    TestRequest ok =
        TestRequest.get("/api/x").header("x-team", "pay").header("baggage", "sidetrack-id=alice");
    assertThat(routed(table, ok)).isEqualTo("r");
    assertThat(rule(table, ok))
        .isEqualTo("header x-team = pay and baggage sidetrack-id = alice and path prefix /api");
    assertThat(routed(table, TestRequest.get("/api/x").header("x-team", "pay"))).isEqualTo("app");
    assertThat(
            routed(
                table,
                TestRequest.get("/web").header("x-team", "pay").header("x-sidetrack-id", "alice")))
        .isEqualTo("app");
    assertThat(routed(table, TestRequest.get("/api").header("baggage", "sidetrack-id=alice")))
        .isEqualTo("app");
  }

  @Test
  void aGroupAlternativeMatchesAnyValueOfARepeatedHeader() {
    RouteTable table = personalTable();
    assertThat(
            routed(
                table,
                TestRequest.get("/")
                    .header("x-sidetrack-id", "zed")
                    .header("x-sidetrack-id", "alice")))
        .isEqualTo("alice");
  }

  @Test
  void personalInterceptRanksWithExactHeadersAboveRegexAndPathRoutes() {
    RouteTable table =
        RouteTable.compile(
            List.of(
                route("path", rules(List.of(), "/api"), 100),
                route("regex", rules(List.of(HeaderMatch.regex("x-sidetrack-id", ".*")), null), 90),
                route("alice", MatchRules.personal("alice"), 0)));
    TestRequest viaBaggage = TestRequest.get("/api").header("baggage", "sidetrack-id=alice");
    assertThat(routed(table, viaBaggage)).isEqualTo("alice");
    assertThat(table.routeFor(viaBaggage).get().precedence()).isEqualTo(Precedence.EXACT_HEADER);
    assertThat(routed(table, TestRequest.get("/api").header("x-sidetrack-id", "alice")))
        .isEqualTo("alice");
    assertThat(routed(table, TestRequest.get("/api").header("x-sidetrack-id", "bob")))
        .isEqualTo("regex");
    assertThat(routed(table, TestRequest.get("/api").header("baggage", "sidetrack-id=bob")))
        .isEqualTo("path");
  }

  @Test
  void groupsWithARegexOrOnlyBaggageRankAsRegexAndPathRoutes() {
    MatchRules regexOrBaggage =
        withGroups(
            List.of(),
            null,
            new AnyOf(
                List.of(HeaderMatch.regex("x-user", "al.*")),
                List.of(new BaggageMatch("user", "alice"))));
    MatchRules baggageOnly =
        withGroups(
            List.of(),
            null,
            new AnyOf(
                List.of(),
                List.of(new BaggageMatch("user", "bob"), new BaggageMatch("team", "b"))));
    assertThat(Precedence.of(regexOrBaggage)).isEqualTo(Precedence.HEADER_REGEX);
    assertThat(Precedence.of(baggageOnly)).isEqualTo(Precedence.PATH_ONLY);
    RouteTable table =
        RouteTable.compile(
            List.of(
                route("regex-or-baggage", regexOrBaggage, 0),
                route("baggage-only", baggageOnly, 0),
                route("exact", MatchRules.header("x-user", "albert"), 0)));
    assertThat(routed(table, TestRequest.get("/").header("x-user", "alex")))
        .isEqualTo("regex-or-baggage");
    assertThat(rule(table, TestRequest.get("/").header("baggage", "user=alice")))
        .isEqualTo("baggage user = alice");
    assertThat(routed(table, TestRequest.get("/").header("x-user", "albert"))).isEqualTo("exact");
    assertThat(rule(table, TestRequest.get("/").header("baggage", "team=b")))
        .isEqualTo("baggage team = b");
    assertThat(routed(table, TestRequest.get("/").header("baggage", "team=c"))).isEqualTo("app");
  }

  @Test
  void addingReplacingAndRemovingAnyOfRoutesEqualsCompilingTheResult() {
    List<TestRequest> requests =
        List.of(
            TestRequest.get("/"),
            TestRequest.get("/").header("x-sidetrack-id", "alice"),
            TestRequest.get("/").header("baggage", "sidetrack-id=alice"),
            TestRequest.get("/").header("x-sidetrack-id", "bob"),
            TestRequest.get("/").header("baggage", "sidetrack-id=bob"),
            TestRequest.get("/").header("x-dev", "alice"),
            TestRequest.get("/").header("baggage", "dev=alice"));
    java.util.Map<String, Route> expected = new java.util.LinkedHashMap<>();
    RouteTable table = RouteTable.compile(List.of(route("alice", MatchRules.personal("alice"), 5)));
    expected.put("alice", route("alice", MatchRules.personal("alice"), 5));
    // enough rounds to fold the changes into new bases several times
    for (int round = 0; round < 3 * RouteTable.MIN_FOLD; round++) {
      Route bob =
          route(
              "bob",
              round % 2 == 0
                  ? MatchRules.personal("bob")
                  : MatchRules.header("x-sidetrack-id", "bob"),
              3);
      Route alice =
          route(
              "alice",
              round % 3 == 0
                  ? MatchRules.personal("alice")
                  : withGroups(List.of(), null, headerOrBaggage("x-dev", "dev", "alice")),
              5);
      table = table.with(bob).with(alice);
      expected.put("bob", bob);
      expected.put("alice", alice);
      if (round % 4 == 1) {
        table = table.without("bob");
        expected.remove("bob");
      }
      RouteTable compiled = RouteTable.compile(expected.values());
      for (TestRequest request : requests) {
        assertThat(table.routeFor(request).map(m -> m.route().interceptId() + ": " + m.rule()))
            .as("round %d, %s", round, request)
            .isEqualTo(
                compiled.routeFor(request).map(m -> m.route().interceptId() + ": " + m.rule()));
      }
    }
    table = table.without("alice").without("bob");
    assertThat(table.size()).isZero();
    for (TestRequest request : requests) {
      assertThat(routed(table, request)).isEqualTo("app");
    }
  }
}
