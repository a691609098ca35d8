package io.sidetrack.router;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.RelayHeaders;
import io.sidetrack.core.routing.Route;
import io.sidetrack.router.api.Tokens.Identity;
import io.sidetrack.router.cluster.ClusterView;
import io.sidetrack.router.cluster.ClusterView.RouteAt;
import io.sidetrack.router.tunnel.Control;
import io.sidetrack.router.tunnel.Frames;
import io.sidetrack.router.tunnel.Frames.RequestHead;
import io.sidetrack.router.tunnel.Frames.ResponseHead;
import io.sidetrack.router.tunnel.HopByHop;
import io.sidetrack.router.tunnel.InterceptSpec;
import io.sidetrack.router.tunnel.Mux;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.AuditEvent;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One developer's tunnel: a WebSocket from their CLI carrying one intercept. It registers the
 * intercept (owner from the token, target this router), renews its lease every third of the TTL
 * while the tunnel lives, tells the CLI when it is active (registry-stream accepted it and every
 * live agent of the workload applied its route entry) or why not, and relays the requests agents
 * deliver for it as streams of the tunnel.
 *
 * <p>Everything but {@link #relay} runs on the WebSocket's context.
 */
final class TunnelSession {
  private static final Logger LOG = LoggerFactory.getLogger(TunnelSession.class);
  private static final Set<String> RELAY_ONLY =
      Set.of(RelayHeaders.INTERCEPT, RelayHeaders.WORKLOAD);
  private static final Duration MIN_RENEWAL = Duration.ofMillis(200);

  private enum State {
    CONNECTED,
    PENDING,
    ACTIVE,
    OVER
  }

  private final Router router;
  private final ServerWebSocket ws;
  private final Identity who;
  private final Context context;
  private final Mux mux;
  private State state = State.CONNECTED;
  private Intercept intercept;
  private Duration ttl;
  private long renewTimer = -1;
  private long requestedAt;
  private String lastDetail;

  TunnelSession(Router router, ServerWebSocket ws, Identity who) {
    this.router = router;
    this.ws = ws;
    this.who = who;
    this.context = Vertx.currentContext();
    this.mux = new Mux(ws, context, null);
  }

  void start() {
    ws.binaryMessageHandler(
        message -> {
          try {
            mux.receive(message);
          } catch (Frames.BadFrame e) {
            LOG.warn("Tunnel of {} sent a bad frame: {}", who.name(), e.getMessage());
            ws.close((short) 1002, "bad frame: " + e.getMessage());
          }
        });
    ws.textMessageHandler(this::control);
    ws.exceptionHandler(e -> LOG.debug("Tunnel of {}: {}", who.name(), e.toString()));
    ws.closeHandler(v -> closed());
    send(
        new JsonObject()
            .put("type", Control.HELLO)
            .put("owner", who.name())
            .put("router", router.advertised()));
  }

  Context context() {
    return context;
  }

  /** Someone removed the intercept through the router's API. */
  void removedByApi() {
    over(Control.REMOVED, "removed with 'sidetrack leave'");
  }

  /** The intercept this tunnel holds, once asked for. */
  String interceptId() {
    return intercept == null ? null : intercept.id();
  }

  private void control(String text) {
    JsonObject msg;
    try {
      msg = new JsonObject(text);
    } catch (RuntimeException e) {
      reject("malformed control message: " + e.getMessage());
      return;
    }
    String type = String.valueOf(msg.getValue("type"));
    switch (type) {
      case Control.INTERCEPT -> onIntercept(msg);
      case Control.LEAVE -> leave();
      default -> reject("unknown control message type '" + type + "'");
    }
  }

  private void onIntercept(JsonObject msg) {
    if (state != State.CONNECTED) {
      reject("a tunnel carries one intercept; this one already asked for " + interceptId());
      return;
    }
    InterceptSpec spec;
    try {
      spec = InterceptSpec.fromJson(msg);
    } catch (IllegalArgumentException e) {
      reject("malformed intercept request: " + e.getMessage());
      return;
    }
    state = State.PENDING;
    requestedAt = System.nanoTime();
    register(spec);
  }

  private void register(InterceptSpec spec) {
    if (state != State.PENDING) {
      return;
    }
    if (!who.mayIntercept(spec.workload())) {
      reject(
          "the token of "
              + who.name()
              + " may not intercept workload '"
              + spec.workload()
              + "' (it may intercept: "
              + who.allowed()
              + ")");
      return;
    }
    ClusterView view = router.view();
    if (!view.ready()) {
      status(Control.PENDING, "the router is still reading the cluster's state");
      router.vertx().setTimer(200, t -> register(spec));
      return;
    }
    if (view.liveAgents(spec.workload()).isEmpty()) {
      reject(
          "unknown workload '"
              + spec.workload()
              + "': no live edge agent reports it in "
              + router.topics().agents());
      return;
    }
    Optional<RouteAt> existing = view.route(spec.id());
    if (existing.isPresent() && !existing.get().route().owner().equals(who.name())) {
      reject("intercept id " + spec.id() + " belongs to " + existing.get().route().owner());
      return;
    }
    Instant now = Instant.now();
    Intercept candidate =
        new Intercept(
            spec.id(),
            spec.workload(),
            who.name(),
            spec.match(),
            router.advertised(),
            existing.map(r -> r.route().createdAt()).orElse(now),
            now.plus(spec.ttl()),
            spec.failClosed() ? FailureMode.FAIL_CLOSED : FailureMode.FAIL_OPEN,
            Map.of());
    Optional<String> problem = router.validator().problem(candidate, now);
    if (problem.isPresent()) {
      reject(problem.get());
      return;
    }
    intercept = candidate;
    ttl = spec.ttl();
    TunnelSession previous = router.tunnels().put(candidate.id(), this);
    if (previous != null && previous != this) {
      previous.context.runOnContext(v -> previous.superseded("a new tunnel took it over"));
    }
    publish();
    long every = Math.max(MIN_RENEWAL.toMillis(), ttl.toMillis() / 3);
    renewTimer = router.vertx().setPeriodic(every, t -> renew());
    status(Control.PENDING, "waiting for registry-stream to decide");
    evaluate();
  }

  private void publish() {
    Intercept published = intercept;
    router
        .registrations()
        .publish(published)
        .whenComplete(
            (ok, e) ->
                context.runOnContext(
                    v -> {
                      if (e != null && state != State.OVER) {
                        LOG.warn(
                            "Registration of {} not published: {}", published.id(), e.toString());
                        if (state == State.PENDING) {
                          reject("could not publish the registration to Kafka: " + e.getMessage());
                        }
                      }
                    }));
  }

  private void renew() {
    if (state == State.OVER) {
      return;
    }
    intercept = intercept.withExpiresAt(Instant.now().plus(ttl));
    publish();
  }

  /** Re-checks activation against the cluster view (after each batch the view reads). */
  void evaluate() {
    if (state != State.PENDING || intercept == null) {
      return;
    }
    Optional<RouteAt> at = router.view().route(intercept.id());
    if (at.isEmpty() || !routes(at.get().route())) {
      return;
    }
    List<ClusterView.Agent> agents = router.view().liveAgents(intercept.workload());
    long applied =
        agents.stream()
            .filter(
                a -> a.partition() != at.get().partition() || a.appliedOffset() > at.get().offset())
            .count();
    if (applied < agents.size()) {
      status(
          Control.PENDING,
          "accepted; " + applied + " of " + agents.size() + " edge agents have applied it");
      return;
    }
    state = State.ACTIVE;
    long ms = (System.nanoTime() - requestedAt) / 1_000_000;
    LOG.info(
        "Intercept {} of {} on {} active after {} ms ({} agents)",
        intercept.id(),
        who.name(),
        intercept.workload(),
        ms,
        agents.size());
    send(
        new JsonObject()
            .put("type", Control.STATUS)
            .put("state", Control.ACTIVE)
            .put("id", intercept.id())
            .put("agents", agents.size())
            .put("ms", ms));
  }

  /** Whether a route entry is this intercept as last published. */
  private boolean routes(Route r) {
    return r.target().equals(intercept.target())
        && r.owner().equals(intercept.owner())
        && r.match().equals(intercept.match())
        && r.failureMode() == intercept.failureMode();
  }

  /** A decision registry-stream made. */
  void audit(AuditEvent e) {
    if (intercept == null || state == State.OVER || !e.getInterceptId().equals(intercept.id())) {
      return;
    }
    switch (e.getKind()) {
      case REJECTED -> {
        if (state == State.PENDING
            && e.getAfter() != null
            && AvroMapping.toIntercept(e.getAfter()).sameRoutingAs(intercept)) {
          reject(e.getReason());
        }
      }
      case UPDATED -> {
        if (e.getAfter() != null && !e.getAfter().getTarget().equals(intercept.target())) {
          superseded("the CLI reconnected through router " + e.getAfter().getTarget());
        }
      }
      case REMOVED -> over(Control.REMOVED, "removed with 'sidetrack leave'");
      case EXPIRED -> {
        // the lease ran out (renewals did not reach Kafka in time): register again
        state = State.PENDING;
        status(Control.PENDING, "the lease expired; registering again");
        renew();
      }
      default -> {}
    }
  }

  private void leave() {
    if (intercept == null) {
      over(null, null);
      return;
    }
    String id = intercept.id();
    stopRenewing();
    state = State.OVER;
    router.tunnels().remove(id, this);
    router
        .registrations()
        .remove(id)
        .whenComplete(
            (ok, e) ->
                context.runOnContext(
                    v -> {
                      if (e != null) {
                        send(
                            new JsonObject()
                                .put("type", Control.STATUS)
                                .put("state", Control.REJECTED)
                                .put("reason", "could not remove " + id + ": " + e.getMessage()));
                      } else {
                        LOG.info("Intercept {} of {} left", id, who.name());
                        send(new JsonObject().put("type", Control.LEFT).put("id", id));
                      }
                      ws.close();
                    }));
  }

  private void reject(String reason) {
    LOG.info(
        "Intercept {} of {} rejected: {}",
        intercept == null ? "?" : intercept.id(),
        who.name(),
        reason);
    if (intercept != null && router.view().route(intercept.id()).isEmpty()) {
      // nothing active under this id: leave no refused registration behind in the topic
      router.registrations().remove(intercept.id());
    }
    over(Control.REJECTED, reason);
  }

  private void superseded(String why) {
    LOG.info("Tunnel of {} for {} superseded: {}", who.name(), interceptId(), why);
    over(Control.REMOVED, "superseded: " + why);
  }

  private void over(String finalState, String reason) {
    if (state == State.OVER) {
      return;
    }
    state = State.OVER;
    stopRenewing();
    if (intercept != null) {
      router.tunnels().remove(intercept.id(), this);
    }
    if (finalState != null) {
      send(
          new JsonObject()
              .put("type", Control.STATUS)
              .put("state", finalState)
              .put("reason", reason));
    }
    ws.close();
  }

  private void closed() {
    if (state != State.OVER) {
      LOG.info(
          "Tunnel of {} for {} closed; the lease runs out unless it reconnects",
          who.name(),
          interceptId());
    }
    state = State.OVER;
    stopRenewing();
    if (intercept != null) {
      router.tunnels().remove(intercept.id(), this);
    }
    router.sessions().remove(this);
    mux.closeAll("the developer's tunnel closed");
  }

  private void stopRenewing() {
    if (renewTimer >= 0) {
      router.vertx().cancelTimer(renewTimer);
      renewTimer = -1;
    }
  }

  private void status(String state, String detail) {
    if (detail.equals(lastDetail)) {
      return;
    }
    lastDetail = detail;
    send(new JsonObject().put("type", Control.STATUS).put("state", state).put("detail", detail));
  }

  private void send(JsonObject msg) {
    if (!ws.isClosed()) {
      ws.writeTextMessage(msg.encode());
    }
  }

  // ---- relaying -------------------------------------------------------------------------------

  /** Relays one request an agent delivered; called on the request's context. */
  void relay(HttpServerRequest req, boolean hasBody, boolean upgrade) {
    Context requestContext = Vertx.currentContext();
    context.runOnContext(v -> open(req, requestContext, hasBody, upgrade));
  }

  private void open(HttpServerRequest req, Context rc, boolean hasBody, boolean upgrade) {
    if (state == State.OVER) {
      rc.runOnContext(v -> router.noTunnel(req, "the developer's tunnel closed"));
      return;
    }
    router.relayed().increment();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    HopByHop.copy(req.headers(), headers, upgrade, RELAY_ONLY);
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
                    router.noTunnel(req, why);
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
    HopByHop.copy(head.headers(), out.headers(), false, Set.of());
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
