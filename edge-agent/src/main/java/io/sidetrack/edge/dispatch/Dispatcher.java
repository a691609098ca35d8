package io.sidetrack.edge.dispatch;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.routing.RequestView;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteMatch;
import io.sidetrack.core.routing.RouteTable;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Makes the agent's one routing decision ({@link Dispatch}) for a request, and the decisions that
 * follow from what a router did with it; the breaker, the parsed router addresses and the routing
 * counters sit behind it, so both agent paths fall back, fail closed and count alike. Thread-safe:
 * every event loop shares one.
 */
public final class Dispatcher {
  private final Supplier<RouteTable> routes;
  private final Predicate<Route> trusted;
  private final RouterBreaker breaker;
  private final DispatchMetrics metrics;

  /** Router addresses as routes name them, parsed once; empty where they do not parse. */
  private final ConcurrentHashMap<String, Optional<RouterAddress>> addresses =
      new ConcurrentHashMap<>();

  /**
   * @param routes the current table
   * @param trusted whether a route of the table may be routed by (a trusted router signed it)
   */
  public Dispatcher(
      Supplier<RouteTable> routes,
      Predicate<Route> trusted,
      RouterBreaker breaker,
      DispatchMetrics metrics) {
    this.routes = requireNonNull(routes, "routes");
    this.trusted = requireNonNull(trusted, "trusted");
    this.breaker = requireNonNull(breaker, "breaker");
    this.metrics = requireNonNull(metrics, "metrics");
  }

  /**
   * The route {@code request} matches in the current table, if any, among the routes a trusted
   * router signed: a refused route is passed over as if it were not in the table. Counted nowhere:
   * a path may use it to choose how to carry a request before {@link #dispatch}.
   */
  public Optional<RouteMatch> match(RequestView request) {
    RouteTable table = routes.get();
    Optional<RouteMatch> match = table.routeFor(request);
    while (match.isPresent() && !trusted.test(match.get().route())) {
      // rare (a forged route in a first read): what the request matches without it
      table = table.without(match.get().route().interceptId());
      match = table.routeFor(request);
    }
    return match;
  }

  /** Matches {@code request} and decides where it goes ({@link #match} then {@link #dispatch}). */
  public Dispatch decide(RequestView request) {
    return dispatch(match(request).orElse(null));
  }

  /** Decides where a request with this match ({@code null}: none) goes, and counts it. */
  public Dispatch dispatch(RouteMatch match) {
    if (match == null) {
      metrics.app();
      return Dispatch.ToApp.INSTANCE;
    }
    Route route = match.route();
    if (!breaker.allows(route.target())) {
      return fallBack(route, FallbackReason.ROUTER_CIRCUIT_OPEN);
    }
    Optional<RouterAddress> address =
        addresses.computeIfAbsent(route.target(), RouterAddress::parse);
    if (address.isEmpty()) {
      return fallBack(route, FallbackReason.BAD_ROUTER_ADDRESS);
    }
    return new Dispatch.ToRouter(route, address.get());
  }

  /** The router took {@code route}'s request and is relaying it: counted as intercepted. */
  public void relayed(Route route) {
    breaker.succeeded(route.target());
    metrics.intercept();
  }

  /**
   * The router could not be reached, or failed before any of the answer came ({@code reason}):
   * counts against its breaker, and decides the request again without it.
   */
  public Dispatch routerFailed(Route route, FallbackReason reason) {
    breaker.failed(route.target());
    return fallBack(route, reason);
  }

  /** The router is up but holds no tunnel for {@code route}: decides the request without it. */
  public Dispatch noTunnel(Route route) {
    breaker.succeeded(route.target());
    return fallBack(route, FallbackReason.NO_TUNNEL);
  }

  /** The fallback of a matched request: the app, or a 503 when its intercept is fail-closed. */
  private Dispatch fallBack(Route route, FallbackReason reason) {
    if (route.failureMode() == FailureMode.FAIL_CLOSED) {
      metrics.failClosed();
      return new Dispatch.FailClosed(route, reason);
    }
    metrics.fallback(reason);
    metrics.app();
    return new Dispatch.Fallback(route, reason);
  }
}
