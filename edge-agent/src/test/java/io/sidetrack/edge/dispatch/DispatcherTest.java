package io.sidetrack.edge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.routing.RequestView;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteTable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DispatcherTest {
  private final AtomicLong now = new AtomicLong();
  private final RouterBreaker breaker = new RouterBreaker(2, Duration.ofSeconds(5), now::get);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AtomicReference<RouteTable> table = new AtomicReference<>(RouteTable.empty());
  private final Set<Route> refused = ConcurrentHashMap.newKeySet();
  private final Dispatcher dispatcher =
      new Dispatcher(
          table::get, route -> !refused.contains(route), breaker, new DispatchMetrics(meters));

  private static Route route(String id, String target, FailureMode mode) {
    return new Route(
        id,
        "orders",
        "dev-" + id,
        MatchRules.header("x-sidetrack-id", id),
        target,
        Instant.EPOCH,
        mode);
  }

  private static RequestView request(String id) {
    return new RequestView() {
      @Override
      public List<String> headerValues(String lowerCaseName) {
        return lowerCaseName.equals("x-sidetrack-id") && id != null ? List.of(id) : List.of();
      }

      @Override
      public String path() {
        return "/";
      }

      @Override
      public String method() {
        return "GET";
      }
    };
  }

  private double count(String name, String tag, String value) {
    var counter = meters.find(name).tag(tag, value).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void unmatchedRequestGoesToTheAppAndIsCounted() {
    assertThat(dispatcher.decide(request("alice"))).isInstanceOf(Dispatch.ToApp.class);
    assertThat(count("sidetrack.agent.requests", "destination", "app")).isEqualTo(1);
  }

  @Test
  void matchedRequestGoesToItsRouter() {
    Route alice = route("alice", "http://10.0.0.7:8071", FailureMode.FAIL_OPEN);
    table.set(RouteTable.compile(List.of(alice)));
    Dispatch d = dispatcher.decide(request("alice"));
    assertThat(d).isEqualTo(new Dispatch.ToRouter(alice, new RouterAddress("10.0.0.7", 8071)));
    dispatcher.relayed(alice);
    assertThat(count("sidetrack.agent.requests", "destination", "intercept")).isEqualTo(1);
  }

  @Test
  void routeNoTrustedRouterSignedIsPassedOverForWhatTheRequestMatchesWithoutIt() {
    Route forged = route("alice", "http://10.6.6.6:8071", FailureMode.FAIL_OPEN);
    Route global =
        new Route(
            "everyone",
            "orders",
            "ops",
            MatchRules.globalRules(),
            "http://10.0.0.8:8071",
            Instant.EPOCH,
            FailureMode.FAIL_OPEN);
    refused.add(forged);
    table.set(RouteTable.compile(List.of(forged)));
    assertThat(dispatcher.decide(request("alice"))).isInstanceOf(Dispatch.ToApp.class);

    table.set(RouteTable.compile(List.of(forged, global)));
    assertThat(dispatcher.decide(request("alice")))
        .isEqualTo(new Dispatch.ToRouter(global, new RouterAddress("10.0.0.8", 8071)));

    refused.clear();
    assertThat(dispatcher.decide(request("alice")))
        .isEqualTo(new Dispatch.ToRouter(forged, new RouterAddress("10.6.6.6", 8071)));
  }

  @Test
  void badRouterAddressFallsBackToTheApp() {
    Route alice = route("alice", "no-port", FailureMode.FAIL_OPEN);
    table.set(RouteTable.compile(List.of(alice)));
    assertThat(dispatcher.decide(request("alice")))
        .isEqualTo(new Dispatch.Fallback(alice, FallbackReason.BAD_ROUTER_ADDRESS));
    assertThat(count("sidetrack.agent.fallbacks", "reason", "bad-router-address")).isEqualTo(1);
    assertThat(count("sidetrack.agent.requests", "destination", "app")).isEqualTo(1);
  }

  @Test
  void openCircuitSkipsTheRouterUntilItsProbe() {
    Route alice = route("alice", "127.0.0.1:9", FailureMode.FAIL_OPEN);
    table.set(RouteTable.compile(List.of(alice)));
    assertThat(dispatcher.routerFailed(alice, FallbackReason.ROUTER_UNREACHABLE))
        .isEqualTo(new Dispatch.Fallback(alice, FallbackReason.ROUTER_UNREACHABLE));
    dispatcher.routerFailed(alice, FallbackReason.ROUTER_UNREACHABLE);
    assertThat(dispatcher.decide(request("alice")))
        .isEqualTo(new Dispatch.Fallback(alice, FallbackReason.ROUTER_CIRCUIT_OPEN));
    now.addAndGet(Duration.ofSeconds(5).toNanos());
    assertThat(dispatcher.decide(request("alice"))).isInstanceOf(Dispatch.ToRouter.class);
  }

  @Test
  void failClosedInterceptAnswers503InsteadOfFallingBack() {
    Route alice = route("alice", "127.0.0.1:9", FailureMode.FAIL_CLOSED);
    table.set(RouteTable.compile(List.of(alice)));
    Dispatch d = dispatcher.noTunnel(alice);
    assertThat(d).isEqualTo(new Dispatch.FailClosed(alice, FallbackReason.NO_TUNNEL));
    assertThat(((Dispatch.FailClosed) d).message())
        .isEqualTo(
            "intercept alice of dev-alice is fail-closed and its tunnel is unreachable"
                + " (no-tunnel)\n");
    assertThat(meters.find("sidetrack.agent.fail.closed").counter().count()).isEqualTo(1);
    assertThat(count("sidetrack.agent.requests", "destination", "app")).isZero();
  }

  @Test
  void noTunnelDoesNotCountAgainstTheRouter() {
    Route alice = route("alice", "127.0.0.1:9", FailureMode.FAIL_OPEN);
    table.set(RouteTable.compile(List.of(alice)));
    for (int i = 0; i < 3; i++) {
      assertThat(dispatcher.noTunnel(alice))
          .isEqualTo(new Dispatch.Fallback(alice, FallbackReason.NO_TUNNEL));
    }
    assertThat(breaker.isOpen(alice.target())).isFalse();
  }
}
