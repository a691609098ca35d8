package io.sidetrack.cli.tunnel;

import static java.util.Objects.requireNonNull;

import io.sidetrack.tunnel.Control;
import io.sidetrack.tunnel.Frames;
import io.sidetrack.tunnel.InterceptSpec;
import io.sidetrack.tunnel.Mux;
import io.sidetrack.tunnel.PreviewAccess;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The developer's end of a tunnel: connects to a router, asks for one intercept, hands the requests
 * the router relays to {@link LocalApp}, which calls the local app, and reconnects (with backoff,
 * to any of the routers it knows) until it leaves, keeping the intercept's id so the router
 * reclaims it.
 */
public final class TunnelClient {
  private static final long FIRST_RETRY_MS = 250;
  private static final long MAX_RETRY_MS = 5_000;
  private static final long PING_MS = 5_000;

  /** Why the tunnel ended for good. */
  public static final class TunnelEnded extends RuntimeException {
    public TunnelEnded(String message) {
      super(message);
    }
  }

  private final Vertx vertx;
  private final List<String> routerUrls;
  private final String token;
  private final java.util.function.Function<String, InterceptSpec> specFor;
  private InterceptSpec spec;
  private String askedWorkload;
  private String askedId;
  private final String localHost;
  private final int localPort;
  private final AppProtocol appProtocol;
  private final TunnelEvents events;
  private final WebSocketClient wsClient;
  private LocalApp local;
  private LocalRecords records;
  private final Promise<String> activated = Promise.promise();
  private final Promise<String> ended = Promise.promise();
  private Context context;
  private WebSocket ws;
  private Mux mux;
  private int nextRouter;
  private long retryMs = FIRST_RETRY_MS;
  private boolean everActive;
  private boolean leaving;
  private long pinger = -1;
  private WebSocket lastClosed;

  public TunnelClient(
      Vertx vertx,
      List<String> routerUrls,
      String token,
      java.util.function.Function<String, InterceptSpec> specFor,
      String localHost,
      int localPort,
      AppProtocol appProtocol,
      TunnelEvents events) {
    this(
        vertx,
        routerUrls,
        token,
        specFor,
        localHost,
        localPort,
        appProtocol,
        events,
        RouterTrust.jdk());
  }

  /** A client that trusts routers' certificates as {@code trust} says (for wss URLs). */
  public TunnelClient(
      Vertx vertx,
      List<String> routerUrls,
      String token,
      java.util.function.Function<String, InterceptSpec> specFor,
      String localHost,
      int localPort,
      AppProtocol appProtocol,
      TunnelEvents events,
      RouterTrust trust) {
    this.vertx = requireNonNull(vertx, "vertx");
    if (routerUrls.isEmpty()) {
      throw new IllegalArgumentException("no router URL");
    }
    this.routerUrls = List.copyOf(routerUrls);
    this.token = requireNonNull(token, "token");
    this.specFor = requireNonNull(specFor, "specFor");
    this.localHost = requireNonNull(localHost, "localHost");
    this.localPort = localPort;
    this.appProtocol = requireNonNull(appProtocol, "appProtocol");
    this.events = requireNonNull(events, "events");
    this.wsClient =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxFrameSize(Frames.MAX_FRAME)
                .setMaxMessageSize(Frames.MAX_MESSAGE)
                .setConnectTimeout(5_000)
                .setIdleTimeout(30)
                // the router answers each ping: three unanswered and the tunnel is dead (a
                // network gone silent closes nothing, and the pings written keep it from idling)
                .setReadIdleTimeout(3 * (int) (PING_MS / 1_000))
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setTcpNoDelay(true)
                .setVerifyHost(true)
                .setTrustOptions(requireNonNull(trust, "trust").vertxTrust()));
  }

  /**
   * Names the workload, and the intercept id when the caller fixes it ({@code null} otherwise), in
   * the upgrade request of the first connection, so a router refuses a workload the token may not
   * intercept, or another owner's intercept, with 403 before the tunnel opens. Reconnects name
   * those of the intercept asked for. Call before {@link #start()}.
   *
   * @return this client
   */
  public TunnelClient asking(String workload, String id) {
    this.askedWorkload = requireNonNull(workload, "workload");
    this.askedId = id;
    return this;
  }

  /**
   * Writes the records the router relays (an intercept with topics) into {@code target}; without it
   * a records stream is refused. Call before {@link #start()}.
   *
   * @return this client
   */
  public TunnelClient records(LocalRecords target) {
    this.records = requireNonNull(target, "target");
    return this;
  }

  /**
   * Connects and asks for the intercept {@code specFor} makes of the owner the router names (once:
   * reconnects ask for the same). The future completes with the intercept id once it is active, or
   * fails with a {@link TunnelEnded} saying why not (rejected, bad token, router unreachable on the
   * first try).
   */
  public Future<String> start() {
    context = vertx.getOrCreateContext();
    local = new LocalApp(vertx, context, localHost, localPort, appProtocol, events);
    context.runOnContext(v -> connect());
    return activated.future();
  }

  /** Completes when the tunnel ends for good: left, removed, or rejected (failed). */
  public Future<String> ended() {
    return ended.future();
  }

  /** Leaves: the router writes the intercept's tombstone; completes once it did (or 5 s). */
  public Future<Void> leave() {
    Promise<Void> left = Promise.promise();
    context.runOnContext(
        v -> {
          leaving = true;
          if (ws == null || ws.isClosed()) {
            finish(null, "left");
            left.tryComplete();
            return;
          }
          ws.writeTextMessage(Control.leave().encode());
          // left only when the router says so: a refusal, or no answer, is not "removed"
          ended
              .future()
              .onComplete(
                  x -> {
                    if (x.succeeded()) {
                      left.tryComplete();
                    } else {
                      left.tryFail(x.cause());
                    }
                  });
          vertx.setTimer(
              5_000, t -> left.tryFail(new TunnelEnded("the router did not answer within 5 s")));
        });
    return left.future();
  }

  private void connect() {
    String url = routerUrls.get(nextRouter % routerUrls.size());
    nextRouter++;
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setAbsoluteURI(
                RouterAddresses.tunnelUri(
                    url,
                    spec != null ? spec.workload() : askedWorkload,
                    spec != null ? spec.id() : askedId))
            .addHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token);
    wsClient
        .connect(options)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                connectFailed(url, ar.cause());
              } else {
                connected(url, ar.result());
              }
            });
  }

  private void connectFailed(String url, Throwable cause) {
    String why;
    if (cause instanceof UpgradeRejectedException rejected) {
      if (rejected.getStatus() == 401) {
        finish(
            "the router at " + url + " refused the token: " + RouterAddresses.refusal(rejected),
            null);
        return;
      }
      if (rejected.getStatus() == 403) {
        finish(
            "the router at " + url + " refused the tunnel: " + RouterAddresses.refusal(rejected),
            null);
        return;
      }
      why =
          "router at "
              + url
              + " answered "
              + rejected.getStatus()
              + ": "
              + RouterAddresses.refusal(rejected);
    } else {
      why =
          RouterTrust.untrusted(url, cause)
              .orElseGet(() -> RouterAddresses.unreachable(url, cause));
    }
    if (!everActive && nextRouter >= routerUrls.size()) {
      finish(why, null);
      return;
    }
    retry(why);
  }

  private void retry(String why) {
    if (ended.future().isComplete() || leaving) {
      return;
    }
    long wait = retryMs;
    retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
    events.disconnected(why, wait);
    vertx.setTimer(wait, t -> context.runOnContext(v -> connect()));
  }

  private void connected(String url, WebSocket socket) {
    ws = socket;
    mux = new Mux(socket, context, this::accept);
    socket.binaryMessageHandler(
        message -> {
          try {
            mux.receive(message);
          } catch (Frames.BadFrame e) {
            socket.close((short) 1002, "bad frame: " + e.getMessage());
          }
        });
    socket.textMessageHandler(text -> control(url, text));
    socket.exceptionHandler(e -> {});
    socket.closeHandler(v -> closed(socket));
    pinger =
        vertx.setPeriodic(
            PING_MS,
            t -> {
              if (socket.isClosed()) {
                closed(socket); // a close no handler reported: go on as if it had
              } else {
                socket.writePing(Buffer.buffer());
              }
            });
  }

  /** A stream the router opened: a request for the local app, or the intercept's records. */
  private void accept(Mux.Channel ch) {
    if (!ch.request().records()) {
      local.serve(ch);
    } else if (records != null) {
      records.accept(ch, context);
    } else {
      ch.reset("this CLI takes no records (it asked for no --topic)");
    }
  }

  private void control(String url, String text) {
    JsonObject msg;
    try {
      msg = new JsonObject(text);
    } catch (RuntimeException e) {
      return; // a router that speaks nonsense: ignore the message
    }
    switch (msg.getString("type", "")) {
      case Control.HELLO -> {
        String owner = msg.getString("owner", "?");
        if (spec == null) {
          // the first router names the owner; reconnects ask for the very same intercept
          spec = specFor.apply(owner);
        }
        events.connected(url, owner);
        ws.writeTextMessage(spec.toJson().encode());
      }
      case Control.LEFT -> finish(null, "left");
      case Control.STATUS -> {
        String state = msg.getString("state", "");
        switch (state) {
          case Control.ACTIVE -> {
            everActive = true;
            retryMs = FIRST_RETRY_MS;
            events.active(
                msg.getString("id", "?"), msg.getInteger("agents", 0), msg.getLong("ms", 0L));
            preview(msg);
            activated.tryComplete(spec.id());
          }
          case Control.PENDING -> events.pending(msg.getString("detail", ""));
          case Control.REJECTED -> finish("rejected: " + msg.getString("reason", "?"), null);
          case Control.REMOVED -> finish(null, msg.getString("reason", "removed"));
          default -> {}
        }
      }
      default -> {}
    }
  }

  /** The preview link of an active intercept that asked for one. */
  private void preview(JsonObject active) {
    if (spec.preview() == PreviewAccess.NONE) {
      return;
    }
    String url = active.getString(Control.PREVIEW);
    if (url != null) {
      events.preview(url);
    } else {
      events.previewUnavailable(
          active.getString(
              Control.PREVIEW_UNAVAILABLE, "the router gave no preview URL (it serves none)"));
    }
  }

  private void closed(WebSocket socket) {
    if (socket != ws || socket == lastClosed) {
      return;
    }
    lastClosed = socket;
    if (pinger >= 0) {
      vertx.cancelTimer(pinger);
      pinger = -1;
    }
    try {
      mux.closeAll("the tunnel closed");
    } catch (RuntimeException e) {
      // a stream that fails to close must not keep the tunnel from reconnecting
    }
    if (ended.future().isComplete()) {
      return;
    }
    if (leaving) {
      finish(null, "left");
      return;
    }
    retry("the tunnel to the router closed");
  }

  /** Ends for good: a failure ({@code error}) or an outcome. */
  private void finish(String error, String outcome) {
    if (error != null) {
      activated.tryFail(new TunnelEnded(error));
      ended.tryFail(new TunnelEnded(error));
    } else {
      activated.tryFail(new TunnelEnded(outcome));
      ended.tryComplete(outcome);
    }
    if (ws != null && !ws.isClosed()) {
      ws.close();
    }
  }

  /** Closes the clients (after {@link #leave} or once ended). */
  public Future<Void> close() {
    return Future.all(wsClient.close(), local == null ? Future.succeededFuture() : local.close())
        .mapEmpty();
  }
}
