package io.sidetrack.router.session;

import io.sidetrack.core.Intercept;
import io.sidetrack.router.auth.Tokens.Identity;
import io.sidetrack.router.cluster.Rollout;
import io.sidetrack.router.preview.PreviewLinks;
import io.sidetrack.router.records.RecordTaps;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.tunnel.Control;
import io.sidetrack.tunnel.Frames;
import io.sidetrack.tunnel.InterceptSpec;
import io.sidetrack.tunnel.Mux;
import io.sidetrack.tunnel.PreviewAccess;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One developer's tunnel and the lease of its one intercept: it registers the intercept (owner from
 * the token, target this router), renews the lease every third of the TTL while the tunnel lives,
 * tells the CLI when it is active or why not, and releases it when the developer leaves. The
 * requests agents deliver for it go through its {@link TunnelRelay}.
 *
 * <p>Everything but {@link #relay} runs on the WebSocket's context.
 */
final class TunnelSession {
  private static final Logger LOG = LoggerFactory.getLogger(TunnelSession.class);

  /** Where the lease is. */
  enum State {
    /** The tunnel is open; the CLI has not asked for an intercept yet. */
    CONNECTED,
    /** Registered (or being registered), not yet active. */
    PENDING,
    /**
     * Accepted, and every live agent of the workload applied it (at least one); should they all go
     * silent later, the CLI is told it waits for them, and told again when they are back.
     */
    ACTIVE,
    /** Left, rejected, removed, superseded or closed: nothing more happens. */
    OVER
  }

  private final SessionServices services;
  private final ServerWebSocket ws;
  private final Identity who;
  private final Context context;
  private final Mux mux;
  private final TunnelRelay relay;
  private final LeaseRenewal lease;
  private final AgentsWatch agentsWatch = new AgentsWatch();
  private State state = State.CONNECTED;
  private InterceptSpec spec;
  private Intercept intercept;
  private long requestedAt;
  private String lastDetail;

  /** Relays the intercept's records once it is active here ({@code null} when it does not). */
  private RecordTaps.Relay records;

  TunnelSession(SessionServices services, ServerWebSocket ws, Identity who) {
    this.services = services;
    this.ws = ws;
    this.who = who;
    this.context = Vertx.currentContext();
    this.mux = new Mux(ws, context, null);
    this.relay =
        new TunnelRelay(
            mux, () -> state == State.OVER, services.relayed()::increment, services.noTunnel());
    this.lease =
        new LeaseRenewal(services.vertx(), services.registrar(), context, this::notPublished);
  }

  void start() {
    services.tunnels().opened(this);
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
    send(Control.hello(who.name(), services.advertised()));
  }

  Context context() {
    return context;
  }

  /** Relays one request an agent delivered; called on the request's context. */
  void relay(HttpServerRequest req, boolean hasBody, boolean upgrade) {
    relay.relay(req, hasBody, upgrade);
  }

  /** Someone removed the intercept through the router's API. */
  void removedByApi() {
    endPreview();
    over(Control.REMOVED, "removed with 'sidetrack leave'");
  }

  private String interceptId() {
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
    this.spec = spec;
    state = State.PENDING;
    requestedAt = System.nanoTime();
    register(spec);
  }

  private void register(InterceptSpec spec) {
    if (state != State.PENDING) {
      return;
    }
    RegistrationCheck.Outcome outcome =
        RegistrationCheck.check(
            spec,
            who,
            services.view(),
            services.validator(),
            services.advertised(),
            services.agentsTopic());
    if (outcome instanceof RegistrationCheck.NotYet notYet) {
      pending(notYet.detail());
      services.vertx().setTimer(200, t -> register(spec));
    } else if (outcome instanceof RegistrationCheck.Refused refused) {
      reject(refused.reason());
    } else if (outcome instanceof RegistrationCheck.Accepted accepted) {
      intercept = accepted.intercept();
      TunnelSession previous = services.tunnels().claim(intercept.id(), this);
      if (previous != null && previous != this) {
        previous.context.runOnContext(v -> previous.superseded("a new tunnel took it over"));
      }
      lease.start(intercept, spec.ttl());
      prepareRecords();
      pending("waiting for registry-stream to decide");
      evaluate();
    }
  }

  private void notPublished(Throwable e) {
    if (state != State.OVER) {
      LOG.warn("Registration of {} not published: {}", interceptId(), e.toString());
      if (state == State.PENDING) {
        reject("could not publish the registration to Kafka: " + e.getMessage());
      }
    }
  }

  /** Re-checks activation against the cluster view (after each batch the view reads). */
  void evaluate() {
    if (state == State.ACTIVE) {
      watchAgents();
      return;
    }
    if (state != State.PENDING || intercept == null) {
      return;
    }
    Optional<Rollout> rollout = Activation.of(intercept, services.view());
    if (rollout.isEmpty()) {
      return;
    }
    if (!rollout.get().active()) {
      pending("accepted; " + rollout.get().describe(intercept.workload()));
      return;
    }
    int agents = rollout.get().live();
    state = State.ACTIVE;
    long ms = (System.nanoTime() - requestedAt) / 1_000_000;
    LOG.info(
        "Intercept {} of {} on {} active after {} ms ({} agents)",
        intercept.id(),
        who.name(),
        intercept.workload(),
        ms,
        agents);
    send(activeMessage(agents, ms));
    if (records != null) {
      records.activate();
    }
  }

  /** Tells the CLI of an active intercept when its workload's agents are gone, and back. */
  private void watchAgents() {
    Optional<Rollout> rollout = Activation.of(intercept, services.view());
    if (rollout.isEmpty()) {
      return;
    }
    Optional<AgentsWatch.Notice> notice =
        agentsWatch.next(rollout.get(), intercept.workload(), System.nanoTime());
    if (notice.isEmpty()) {
      return;
    }
    if (notice.get() instanceof AgentsWatch.Waiting waiting) {
      if (waiting.first()) {
        LOG.info("Intercept {} of {}: {}", intercept.id(), who.name(), waiting.detail());
      }
      pending(waiting.detail());
    } else if (notice.get() instanceof AgentsWatch.Back back) {
      LOG.info(
          "Intercept {} of {} routed by {} agents again after {} ms",
          intercept.id(),
          who.name(),
          back.agents(),
          back.waitedMs());
      send(activeMessage(back.agents(), back.waitedMs()));
    }
  }

  /**
   * At the registration, prepares relaying the records of the intercept's topics (from where they
   * end now), unless it has none or the developer reads them from the cluster ({@code
   * --kafka-direct}, or a CLI that cannot take records).
   */
  private void prepareRecords() {
    if (records != null || intercept.topics().isEmpty() || spec.recordsDirect()) {
      return;
    }
    records =
        services
            .records()
            .prepare(
                intercept,
                mux,
                why -> {
                  if (state != State.OVER) {
                    LOG.warn("Records of {} stopped by the CLI: {}", intercept.id(), why);
                    stopRecords();
                  }
                });
  }

  private void stopRecords() {
    if (records != null) {
      records.close();
      records = null;
    }
  }

  /** {@code status active}, with the preview's link when the CLI asked for one. */
  private JsonObject activeMessage(int agents, long ms) {
    lastDetail = null; // a wait after this is told even if it reads as one before
    if (spec.preview() == PreviewAccess.NONE) {
      return Control.active(intercept.id(), agents, ms);
    }
    PreviewLinks.Link link = services.previews().open(intercept, spec.preview());
    if (link instanceof PreviewLinks.Url url) {
      return Control.active(intercept.id(), agents, ms, url.url(), null);
    }
    return Control.active(
        intercept.id(), agents, ms, null, ((PreviewLinks.Unavailable) link).reason());
  }

  /** The intercept ended, or is held elsewhere now: its preview here ends with it. */
  private void endPreview() {
    if (intercept != null) {
      services.previews().ended(intercept.id());
    }
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
          endPreview(); // the router it reconnected through gives it a preview of its own
          superseded("the CLI reconnected through router " + e.getAfter().getTarget());
        }
      }
      case REMOVED -> {
        endPreview();
        over(Control.REMOVED, "removed with 'sidetrack leave'");
      }
      case EXPIRED -> {
        endPreview();
        // the lease ran out (renewals did not reach Kafka in time): register again
        state = State.PENDING;
        pending("the lease expired; registering again");
        lease.renew();
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
    services.tunnels().release(id, this);
    endPreview();
    services
        .registrar()
        .remove(id)
        .whenComplete(
            (ok, e) ->
                context.runOnContext(
                    v -> {
                      if (e != null) {
                        send(
                            Control.ended(
                                Control.REJECTED,
                                "could not remove " + id + ": " + e.getMessage()));
                      } else {
                        LOG.info("Intercept {} of {} left", id, who.name());
                        send(Control.left(id));
                      }
                      ws.close();
                    }));
  }

  private void reject(String reason) {
    LOG.info("Intercept {} of {} rejected: {}", interceptId(), who.name(), reason);
    if (intercept != null && services.view().route(intercept.id()).isEmpty()) {
      // nothing active under this id: leave no refused registration behind in the topic
      services.registrar().remove(intercept.id());
    }
    endPreview();
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
      services.tunnels().release(intercept.id(), this);
    }
    if (finalState != null) {
      send(Control.ended(finalState, reason));
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
      services.tunnels().release(intercept.id(), this);
      if (services.tunnels().holding(intercept.id()) == null) {
        // the CLI may reconnect within the lease and find its preview as it was
        services.previews().detached(intercept.id(), spec.ttl());
      }
    }
    services.tunnels().closed(this);
    mux.closeAll("the developer's tunnel closed");
  }

  private void stopRenewing() {
    lease.stop();
    stopRecords();
  }

  private void pending(String detail) {
    if (detail.equals(lastDetail)) {
      return;
    }
    lastDetail = detail;
    send(Control.pending(detail));
  }

  private void send(JsonObject msg) {
    if (!ws.isClosed()) {
      ws.writeTextMessage(msg.encode());
    }
  }
}
