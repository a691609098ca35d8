package io.sidetrack.edge.routing;

import io.sidetrack.core.routing.Route;
import io.sidetrack.core.trust.Verification;

/**
 * A decoded route with the verdict on its signature, reached on the feed's decode threads so that
 * neither the reader's thread nor a request ever verifies one.
 *
 * @param route the route
 * @param verification whether a trusted router signed it
 */
record CheckedRoute(Route route, Verification verification) {}
