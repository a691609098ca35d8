package io.sidetrack.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

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
}
