package io.sidetrack.edge.proxy;

import static java.util.Objects.requireNonNull;

import io.sidetrack.edge.dispatch.Dispatch;
import io.sidetrack.edge.dispatch.Dispatcher;
import io.vertx.core.http.HttpServerRequest;

/**
 * Where each request of the full proxy starts: refuses what it will not forward ({@link
 * RequestChecks}), holds its body back, asks the {@link Dispatcher} where it goes, and carries the
 * answer out. A relay whose router turns the request away hands it back here with the Dispatcher's
 * next decision.
 */
final class RequestEntry implements DispatchCarrier {
  private final Dispatcher dispatcher;
  private final AppRelay app;
  private final RouterRelay router;

  RequestEntry(Dispatcher dispatcher, AppRelay app, RouterRelay router) {
    this.dispatcher = requireNonNull(dispatcher, "dispatcher");
    this.app = requireNonNull(app, "app");
    this.router = requireNonNull(router, "router");
  }

  /** A request's head came: refused, or held and carried where the dispatcher says. */
  void handle(HttpServerRequest req) {
    String problem = RequestChecks.problem(req);
    if (problem != null) {
      VertxReplies.badRequest(req, problem);
      return;
    }
    boolean bodyless = RequestBody.none(req);
    if (!bodyless) {
      req.pause(); // until it is known where the body goes
    }
    carryOut(req, bodyless, dispatcher.decide(new VertxRequestView(req)));
  }

  // Java 17 has no pattern switch; the chain covers every permitted Dispatch
  @Override
  public void carryOut(HttpServerRequest req, boolean bodyless, Dispatch dispatch) {
    if (dispatch instanceof Dispatch.ToApp) {
      app.relay(req, bodyless, null);
    } else if (dispatch instanceof Dispatch.ToRouter toRouter) {
      router.relay(req, bodyless, toRouter, this);
    } else if (dispatch instanceof Dispatch.Fallback fallback) {
      app.relay(req, bodyless, fallback.reason());
    } else if (dispatch instanceof Dispatch.FailClosed failClosed) {
      VertxReplies.failClosed(req, failClosed);
    } else {
      throw new IllegalStateException("unknown dispatch " + dispatch);
    }
  }
}
