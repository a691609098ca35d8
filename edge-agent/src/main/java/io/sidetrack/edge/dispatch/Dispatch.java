package io.sidetrack.edge.dispatch;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.routing.Route;

/**
 * Where one request goes: the single routing decision that both of the agent's paths (the
 * byte-level front and the Vert.x proxy) obey. {@link Dispatcher} makes it; a path only carries it
 * out.
 */
public sealed interface Dispatch {
  /** Seconds a fail-closed answer asks the client to wait ({@code Retry-After}). */
  int RETRY_AFTER_SECONDS = 5;

  /** No route matched: the local app. */
  record ToApp() implements Dispatch {
    static final ToApp INSTANCE = new ToApp();
  }

  /** A route matched and its router may be tried: relay to {@code router}. */
  record ToRouter(Route route, RouterAddress router) implements Dispatch {
    public ToRouter {
      requireNonNull(route, "route");
      requireNonNull(router, "router");
    }
  }

  /**
   * A route matched but its tunnel cannot be had: the local app, with {@code sidetrack-fallback:
   * reason} on the answer.
   */
  record Fallback(Route route, FallbackReason reason) implements Dispatch {
    public Fallback {
      requireNonNull(route, "route");
      requireNonNull(reason, "reason");
    }
  }

  /**
   * A fail-closed route matched and its tunnel cannot be had: answer 503 with {@link #message()},
   * {@code sidetrack-fallback: reason} and {@code Retry-After}, and send nothing to the app.
   */
  record FailClosed(Route route, FallbackReason reason) implements Dispatch {
    public FailClosed {
      requireNonNull(route, "route");
      requireNonNull(reason, "reason");
    }

    /** The answer's body: which intercept, whose, and why. */
    public String message() {
      return "intercept "
          + route.interceptId()
          + " of "
          + route.owner()
          + " is fail-closed and its tunnel is unreachable ("
          + reason.label()
          + ")\n";
    }
  }
}
