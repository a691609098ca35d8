package io.sidetrack.edge.proxy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteTable;
import io.sidetrack.edge.dispatch.DispatchMetrics;
import io.sidetrack.edge.dispatch.Dispatcher;
import io.sidetrack.edge.dispatch.RouterBreaker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The proxy tests' one intercept: {@code x-sidetrack-id: alice} on workload shop, fail-open. */
final class AliceRoute {
  private AliceRoute() {}

  /** A dispatcher whose table holds only alice's intercept, to the router at {@code port}. */
  static Dispatcher dispatcherToRouterAt(int port) {
    Route alice =
        new Route(
            "alice",
            "shop",
            "dev-alice",
            MatchRules.header("x-sidetrack-id", "alice"),
            "127.0.0.1:" + port,
            Instant.EPOCH,
            FailureMode.FAIL_OPEN);
    RouteTable table = RouteTable.compile(List.of(alice));
    return new Dispatcher(
        () -> table,
        route -> true,
        new RouterBreaker(3, Duration.ofSeconds(5)),
        new DispatchMetrics(new SimpleMeterRegistry()));
  }
}
