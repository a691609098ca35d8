package io.sidetrack.loadtest.jmh;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.routing.RequestView;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteMatch;
import io.sidetrack.core.routing.RouteTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The edge agent's matcher: a request against a workload's route table of N exact-header routes
 * plus a few regex and path routes, matched or not; the same with N default personal intercepts
 * (header or baggage member), matched by the header or by the baggage; and the cost of one route
 * change.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RouteTableBenchmark {
  @Param({"1", "100000"})
  int routes;

  RouteTable table;
  RouteTable personalTable;
  RequestView matched;
  RequestView matchedByBaggage;
  RequestView unmatched;
  RequestView regexMatched;
  Route extra;
  int next;

  @Setup
  public void setUp() {
    Instant t0 = Instant.parse("2026-11-25T00:00:00Z");
    List<Route> all = new ArrayList<>();
    for (int i = 0; i < routes; i++) {
      all.add(route("i-" + i, MatchRules.header("x-sidetrack-id", "dev-" + i), t0));
    }
    all.add(
        route(
            "re-1",
            new MatchRules(
                List.of(HeaderMatch.regex("x-user", "team-a-.*")), List.of(), null, null, false),
            t0));
    all.add(route("path-1", new MatchRules(List.of(), List.of(), "/admin", null, false), t0));
    table = RouteTable.compile(all);
    List<Route> personal = new ArrayList<>();
    for (int i = 0; i < routes; i++) {
      personal.add(route("p-" + i, MatchRules.personal("dev-" + i), t0));
    }
    personal.addAll(all.subList(routes, all.size()));
    personalTable = RouteTable.compile(personal);
    matched = request("dev-" + (routes / 2), null, "/orders/1");
    matchedByBaggage =
        request(null, null, "/orders/1", "team=a, sidetrack-id=dev-" + (routes / 2) + ";p=1");
    unmatched = request(null, null, "/orders/1");
    regexMatched = request(null, "team-a-42", "/orders/1");
    extra = route("extra", MatchRules.header("x-sidetrack-id", "someone-new"), t0);
  }

  private static Route route(String id, MatchRules rules, Instant t) {
    return new Route(id, "orders", "dev", rules, "router:9000", t, FailureMode.FAIL_OPEN);
  }

  private static RequestView request(String id, String user, String path) {
    return request(id, user, path, null);
  }

  private static RequestView request(String id, String user, String path, String baggage) {
    return new RequestView() {
      @Override
      public List<String> headerValues(String name) {
        if (name.equals("x-sidetrack-id") && id != null) {
          return List.of(id);
        }
        if (name.equals("x-user") && user != null) {
          return List.of(user);
        }
        if (name.equals("baggage") && baggage != null) {
          return List.of(baggage);
        }
        return List.of();
      }

      @Override
      public String path() {
        return path;
      }

      @Override
      public String method() {
        return "GET";
      }
    };
  }

  @Benchmark
  public Optional<RouteMatch> matchedByExactHeader() {
    return table.routeFor(matched);
  }

  @Benchmark
  public Optional<RouteMatch> matchedByRegex() {
    return table.routeFor(regexMatched);
  }

  @Benchmark
  public Optional<RouteMatch> unmatched() {
    return table.routeFor(unmatched);
  }

  @Benchmark
  public Optional<RouteMatch> personalMatchedByHeader() {
    return personalTable.routeFor(matched);
  }

  @Benchmark
  public Optional<RouteMatch> personalMatchedByBaggage() {
    return personalTable.routeFor(matchedByBaggage);
  }

  @Benchmark
  public Optional<RouteMatch> personalUnmatched() {
    return personalTable.routeFor(unmatched);
  }

  @Benchmark
  public RouteTable addOneRoute() {
    return table.with(extra);
  }
}
