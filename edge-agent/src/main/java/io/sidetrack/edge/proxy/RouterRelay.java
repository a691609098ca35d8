package io.sidetrack.edge.proxy;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.RelayHeaders;
import io.sidetrack.core.routing.Route;
import io.sidetrack.edge.dispatch.Dispatch;
import io.sidetrack.edge.dispatch.Dispatcher;
import io.sidetrack.edge.dispatch.FallbackReason;
import io.sidetrack.edge.dispatch.RouterAddress;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays a matched request to the router its route names. A body goes only once the router confirms
 * the tunnel with {@code 100 Continue}, so while nothing but the head went, a router that cannot be
 * reached, fails, or answers that the tunnel is gone hands the untouched request back to the {@link
 * Dispatcher}'s fallback.
 */
final class RouterRelay {
  private static final Logger LOG = LoggerFactory.getLogger(RouterRelay.class);

  private final Dispatcher dispatcher;
  private final HttpClient http2;
  private final UpstreamLinks links;
  private final long connectTimeoutMs;
  private final UpstreamHead head;

  /** {@code http2} takes the client's HTTP/2 requests, {@code links} the HTTP/1.1 ones. */
  RouterRelay(
      Dispatcher dispatcher,
      HttpClient http2,
      UpstreamLinks links,
      long connectTimeoutMs,
      UpstreamHead head) {
    this.dispatcher = requireNonNull(dispatcher, "dispatcher");
    this.http2 = requireNonNull(http2, "http2");
    this.links = requireNonNull(links, "links");
    this.connectTimeoutMs = connectTimeoutMs;
    this.head = requireNonNull(head, "head");
  }

  /** Sends {@code req} to {@code to}'s router; {@code next} carries out a fallback. */
  void relay(HttpServerRequest req, boolean bodyless, Dispatch.ToRouter to, DispatchCarrier next) {
    Route route = to.route();
    RouterAddress router = to.router();
    RequestOptions options = head.options(req, router.host(), router.port());
    options.setConnectTimeout(connectTimeoutMs);
    Future<HttpClientRequest> request =
        req.version() == HttpVersion.HTTP_2
            ? http2.request(options)
            : links.request(req.connection(), route.target(), options, connectTimeoutMs);
    request.onComplete(
        ar -> {
          if (ar.failed()) {
            LOG.debug("Router {} unreachable: {}", route.target(), ar.cause().toString());
            next.carryOut(
                req, bodyless, dispatcher.routerFailed(route, FallbackReason.ROUTER_UNREACHABLE));
            return;
          }
          Exchange ex = new Exchange(req, bodyless, route, ar.result(), next);
          head.write(req, ex.upstream, route);
          if (UpstreamHead.isUpgrade(req)) {
            dispatcher.relayed(route);
            UpgradeTunnel.open(req, ex.upstream, null);
          } else if (bodyless) {
            ClientCancel.relay(req, ex.upstream);
            ex.upstream.send().onComplete(ex::answered);
          } else {
            ex.sendHeadHoldingBody();
          }
        });
  }

  /** One request on its way to a router. */
  private final class Exchange {
    final HttpServerRequest req;
    final boolean bodyless;
    final Route route;
    final HttpClientRequest upstream;
    final DispatchCarrier next;

    /** Whether the router asked for the body (100 Continue) and it is on its way. */
    boolean bodySent;

    /** Whether the router's final answer came. */
    boolean answered;

    Exchange(
        HttpServerRequest req,
        boolean bodyless,
        Route route,
        HttpClientRequest upstream,
        DispatchCarrier next) {
      this.req = req;
      this.bodyless = bodyless;
      this.route = route;
      this.upstream = upstream;
      this.next = next;
    }

    /** The head with {@code Expect: 100-continue}; the body once the router confirms. */
    void sendHeadHoldingBody() {
      upstream.putHeader(HttpHeaders.EXPECT, "100-continue");
      if (!upstream.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
        upstream.setChunked(true);
      }
      upstream.continueHandler(
          v -> {
            if (!answered) {
              bodySent = true;
              ClientCancel.relay(req, upstream);
              RequestBody.streamTo(req, upstream);
            }
          });
      upstream.response().onComplete(this::answered);
      upstream.sendHead();
    }

    /**
     * What the router answered. The request can still go elsewhere while nothing of it went to the
     * router but its head: bodyless, or its body held back for want of 100 Continue.
     */
    void answered(AsyncResult<HttpClientResponse> result) {
      answered = true;
      if (result.failed()) {
        failed(result.cause());
        return;
      }
      HttpClientResponse response = result.result();
      boolean bodyHeld = !bodyless && !bodySent;
      if (bodyHeld) {
        response.end().onComplete(v -> abandonRouterRequest());
      }
      if (!bodySent && response.getHeader(RelayHeaders.NO_TUNNEL) != null) {
        response.end(); // read past; only its field mattered
        next.carryOut(req, bodyless, dispatcher.noTunnel(route));
        return;
      }
      dispatcher.relayed(route);
      if (bodyHeld) {
        // a final answer without 100 Continue (404, 413, 502, ...): the client's held body is
        // never sent; what becomes of it is up to the client's connection (RFC 9110 10.1.1)
        VertxReplies.answerWithoutBody(req);
      }
      AnswerRelay.relay(req, response, null);
    }

    private void failed(Throwable cause) {
      if (req.response().closed()) {
        return; // the client went away (and took its links along): not the router's fault
      }
      if (!req.response().headWritten() && !bodySent) {
        next.carryOut(req, bodyless, dispatcher.routerFailed(route, FallbackReason.ROUTER_FAILED));
      } else {
        VertxReplies.badGateway(req, "router " + route.target() + " failed", cause);
      }
    }

    /**
     * The router answered a head whose body it never asked for: its connection is left inside an
     * unfinished request (chunked, or with a length never sent), so that connection goes, lest the
     * next request on it be read as this one's body (a reset would not do: the client pool takes
     * the connection back once the answer ended, and gave it to the next request).
     */
    private void abandonRouterRequest() {
      if (upstream.version() == HttpVersion.HTTP_2) {
        upstream.reset(RequestBody.CANCEL);
      } else {
        upstream.connection().close();
      }
    }
  }
}
