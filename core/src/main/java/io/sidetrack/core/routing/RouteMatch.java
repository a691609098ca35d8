package io.sidetrack.core.routing;

import static java.util.Objects.requireNonNull;

/**
 * The route that takes a request, and why.
 *
 * @param route the route
 * @param precedence its specificity class
 * @param rule the rules that matched, as a person reads them
 */
public record RouteMatch(Route route, Precedence precedence, String rule) {
  public RouteMatch {
    requireNonNull(route, "route");
    requireNonNull(precedence, "precedence");
    requireNonNull(rule, "rule");
  }
}
