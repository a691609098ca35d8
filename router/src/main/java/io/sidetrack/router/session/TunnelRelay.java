package io.sidetrack.router.session;

import io.sidetrack.core.RelayHeaders;
import io.sidetrack.tunnel.EndToEndHeaders;
import io.sidetrack.tunnel.Frames;
import io.sidetrack.tunnel.Frames.RequestHead;
import io.sidetrack.tunnel.Frames.ResponseHead;
import io.sidetrack.tunnel.Mux;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Relays the requests agents deliver for one tunnel: each becomes a stream of the tunnel's {@link
 * Mux}, and the developer's answer (head, body, trailers) goes back to the agent; an upgrade
 * (WebSocket) becomes raw bytes both ways after the 101.
 *
 * <p>The mux lives on the tunnel's context, each request on its own: every step hops to the one it
 * touches.
 */
final class TunnelRelay {
  /**
   * Request fields that stay here: the relay's own addressing, and {@code Expect}, which this
   * router answers itself (it writes the {@code 100 Continue} before it relays the body).
   */
  static final Set<String> NOT_RELAYED =
      Set.of(RelayHeaders.INTERCEPT, RelayHeaders.WORKLOAD, "expect");

  private final Mux mux;
  private final Context context;
  private final BooleanSupplier over;
  private final Runnable relayed;
  private final NoTunnel noTunnel;

  /**
   * @param mux the tunnel's streams
   * @param over whether the tunnel is over (asked on the mux's context)
   * @param relayed counts each request relayed
   * @param noTunnel answers a request whose tunnel is over
   */
  TunnelRelay(Mux mux, BooleanSupplier over, Runnable relayed, NoTunnel noTunnel) {
    this.mux = mux;
    this.context = mux.context();
    this.over = over;
    this.relayed = relayed;
    this.noTunnel = noTunnel;
  }

  /** Relays one request an agent delivered; called on the request's context. */
  void relay(HttpServerRequest req, boolean hasBody, boolean upgrade) {
    Context requestContext = Vertx.currentContext();
    context.runOnContext(v -> open(req, requestContext, hasBody, upgrade));
  }

  private void open(HttpServerRequest req, Context rc, boolean hasBody, boolean upgrade) {
    if (over.getAsBoolean()) {
      rc.runOnContext(v -> noTunnel.answer(req, "the developer's tunnel closed"));
      return;
    }
    relayed.run();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    EndToEndHeaders.copy(req.headers(), headers, upgrade, NOT_RELAYED);
    int flags = (hasBody ? Frames.FLAG_BODY : 0) | (upgrade ? Frames.FLAG_UPGRADE : 0);
    Mux.Channel ch = mux.open(new RequestHead(flags, req.method().name(), req.uri(), headers));
    boolean[] bodyStarted = {false};
    ch.resetHandler(
        why ->
            rc.runOnContext(
                v -> {
                  HttpServerResponse out = req.response();
                  if (out.ended() || out.closed()) {
                    return;
                  }
                  if (out.headWritten()) {
                    out.reset();
                  } else if (!bodyStarted[0]) {
                    noTunnel.answer(req, why);
                  } else {
                    out.setStatusCode(502)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                        .end("the developer's tunnel failed: " + why + "\n");
                  }
                }));
    ch.headHandler(head -> rc.runOnContext(v -> respond(req, rc, ch, head, upgrade)));
    rc.runOnContext(
        v ->
            req.response()
                .closeHandler(x -> context.runOnContext(y -> ch.reset("the caller went away"))));
    if (hasBody) {
      bodyStarted[0] = true;
      rc.runOnContext(
          v -> {
            if ("100-continue".equalsIgnoreCase(req.getHeader(HttpHeaders.EXPECT))) {
              req.response().writeContinue();
            }
          });
      ch.pump(req, rc, null, null);
    } else if (!upgrade) {
      ch.sendEnd(null);
    }
  }

  /** The developer's app answered (on the request's context). */
  private void respond(
      HttpServerRequest req, Context rc, Mux.Channel ch, ResponseHead head, boolean upgrade) {
    HttpServerResponse out = req.response();
    if (out.closed()) {
      return;
    }
    if (upgrade && head.status() == 101) {
      head.headers().forEach(e -> out.headers().add(e.getKey(), e.getValue()));
      req.toNetSocket()
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  context.runOnContext(v -> ch.reset("upgrade failed: " + ar.cause()));
                  return;
                }
                NetSocket socket = ar.result();
                socket.pause();
                socket.closeHandler(v -> context.runOnContext(x -> ch.reset("closed")));
                context.runOnContext(
                    v -> {
                      ch.sinkTo(socket, rc, trailers -> socket.end());
                      ch.pump(socket, rc, null, null);
                    });
              });
      return;
    }
    out.setStatusCode(head.status());
    if (!head.reason().isEmpty()) {
      out.setStatusMessage(head.reason());
    }
    EndToEndHeaders.copy(head.headers(), out.headers(), false, Set.of());
    boolean bodyless =
        head.status() < 200
            || head.status() == 204
            || head.status() == 304
            || req.method() == HttpMethod.HEAD;
    if (!bodyless && !out.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
      out.setChunked(true);
    }
    context.runOnContext(
        v ->
            ch.sinkTo(
                out,
                rc,
                trailers -> {
                  if (trailers != null && !trailers.isEmpty() && out.isChunked()) {
                    out.trailers().addAll(trailers);
                  }
                  out.end();
                }));
  }
}
