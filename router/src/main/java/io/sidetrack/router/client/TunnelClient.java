package io.sidetrack.router.client;

import static java.util.Objects.requireNonNull;

import io.sidetrack.router.tunnel.Control;
import io.sidetrack.router.tunnel.Frames;
import io.sidetrack.router.tunnel.Frames.RequestHead;
import io.sidetrack.router.tunnel.Frames.ResponseHead;
import io.sidetrack.router.tunnel.HopByHop;
import io.sidetrack.router.tunnel.InterceptSpec;
import io.sidetrack.router.tunnel.Mux;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetSocket;
import java.net.ConnectException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The developer's end of a tunnel: connects to a router, asks for one intercept, serves the
 * requests the router relays by calling the local app, and reconnects (with backoff, to any of the
 * routers it knows) until it leaves, keeping the intercept's id so the router reclaims it.
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
  private final String localHost;
  private final int localPort;
  private final TunnelEvents events;
  private final WebSocketClient wsClient;
  private final HttpClient local;
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
      TunnelEvents events) {
    this.vertx = requireNonNull(vertx, "vertx");
    if (routerUrls.isEmpty()) {
      throw new IllegalArgumentException("no router URL");
    }
    this.routerUrls = List.copyOf(routerUrls);
    this.token = requireNonNull(token, "token");
    this.specFor = requireNonNull(specFor, "specFor");
    this.localHost = requireNonNull(localHost, "localHost");
    this.localPort = localPort;
    this.events = requireNonNull(events, "events");
    this.wsClient =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxFrameSize(Frames.MAX_FRAME)
                .setMaxMessageSize(Frames.MAX_MESSAGE)
                .setConnectTimeout(5_000)
                .setIdleTimeout(30)
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setTcpNoDelay(true));
    this.local =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
            new PoolOptions().setHttp1MaxSize(256));
  }

  /**
   * Connects and asks for the intercept {@code specFor} makes of the owner the router names (once:
   * reconnects ask for the same). The future completes with the intercept id once it is active, or
   * fails with a {@link TunnelEnded} saying why not (rejected, bad token, router unreachable on the
   * first try).
   */
  public Future<String> start() {
    context = vertx.getOrCreateContext();
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
          ws.writeTextMessage(new JsonObject().put("type", Control.LEAVE).encode());
          ended.future().onComplete(x -> left.tryComplete());
          vertx.setTimer(5_000, t -> left.tryComplete());
        });
    return left.future();
  }

  private void connect() {
    String url = routerUrls.get(nextRouter % routerUrls.size());
    nextRouter++;
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setAbsoluteURI(wsUrl(url) + Control.PATH)
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
        finish("the router at " + url + " refused the token: " + body(rejected), null);
        return;
      }
      why = "router at " + url + " answered " + rejected.getStatus() + ": " + body(rejected);
    } else {
      why =
          "router unreachable at "
              + url
              + " ("
              + (cause instanceof ConnectException ? "connection refused" : cause.getMessage())
              + ")";
    }
    if (!everActive && nextRouter >= routerUrls.size()) {
      finish(why, null);
      return;
    }
    retry(why);
  }

  private static String body(UpgradeRejectedException e) {
    Buffer b = e.getBody();
    if (b == null || b.length() == 0) {
      return "(no detail)";
    }
    try {
      return new JsonObject(b).getString("error", b.toString());
    } catch (RuntimeException notJson) {
      return b.toString().trim();
    }
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
    mux = new Mux(socket, context, this::serve);
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
    return Future.all(wsClient.close(), local.close()).mapEmpty();
  }

  private static String wsUrl(String url) {
    String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    if (u.startsWith("https://")) {
      return "wss://" + u.substring(8);
    }
    if (u.startsWith("http://")) {
      return "ws://" + u.substring(7);
    }
    return u;
  }

  // ---- serving relayed requests --------------------------------------------------------------

  private void serve(Mux.Channel ch) {
    RequestHead head = ch.request();
    long t0 = System.nanoTime();
    HttpMethod method = HttpMethod.valueOf(head.method());
    RequestOptions options =
        new RequestOptions()
            .setMethod(method)
            .setURI(head.uri())
            .setHost(localHost)
            .setPort(localPort);
    local
        .request(options)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                answer(ch, 502, "nothing answers on " + localHost + ":" + localPort, t0);
                return;
              }
              HttpClientRequest up = ar.result();
              up.exceptionHandler(e -> {});
              HopByHop.copy(head.headers(), up.headers(), head.upgrade(), Set.of("host"));
              String host = head.headers().get(HttpHeaders.HOST);
              if (host != null) {
                HostAndPort authority = HostAndPort.parseAuthority(host, -1);
                if (authority != null) {
                  up.authority(authority);
                }
              }
              ch.resetHandler(why -> up.reset());
              if (head.upgrade()) {
                upgrade(ch, up, t0);
                return;
              }
              if (head.hasBody() && !up.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
                up.setChunked(true);
              }
              up.response()
                  .onComplete(
                      r -> {
                        if (r.failed()) {
                          failed(ch, r.cause(), t0);
                        } else {
                          relayResponse(ch, r.result(), t0);
                        }
                      });
              ch.sinkTo(up, trailers -> up.end());
            });
  }

  private void relayResponse(Mux.Channel ch, HttpClientResponse resp, long t0) {
    resp.pause();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    HopByHop.copy(resp.headers(), headers, false, Set.of());
    ch.sendHead(new ResponseHead(resp.statusCode(), resp.statusMessage(), headers));
    ch.pump(resp, context, resp::trailers, () -> log(ch.request(), resp.statusCode(), t0));
  }

  private void upgrade(Mux.Channel ch, HttpClientRequest up, long t0) {
    up.connect()
        .onComplete(
            r -> {
              if (r.failed()) {
                failed(ch, r.cause(), t0);
                return;
              }
              HttpClientResponse resp = r.result();
              if (resp.statusCode() != 101) {
                relayResponse(ch, resp, t0);
                return;
              }
              MultiMap headers = MultiMap.caseInsensitiveMultiMap();
              HopByHop.copy(resp.headers(), headers, true, Set.of());
              ch.sendHead(new ResponseHead(101, resp.statusMessage(), headers));
              log(ch.request(), 101, t0);
              NetSocket socket = resp.netSocket();
              socket.pause();
              socket.closeHandler(v -> ch.reset("the app closed the connection"));
              ch.sinkTo(socket, trailers -> socket.end());
              ch.pump(socket, context, null, null);
            });
  }

  private void failed(Mux.Channel ch, Throwable cause, long t0) {
    if (ch.isDone()) {
      return; // the caller went away first
    }
    answer(ch, 502, "the local app failed: " + cause.getMessage(), t0);
  }

  /** Answers the relayed request here, with a short text. */
  private void answer(Mux.Channel ch, int status, String text, long t0) {
    Buffer body = Buffer.buffer("sidetrack: " + text + "\n");
    MultiMap headers =
        MultiMap.caseInsensitiveMultiMap()
            .add(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
            .add(HttpHeaders.CONTENT_LENGTH, String.valueOf(body.length()));
    ch.sendHead(new ResponseHead(status, "", headers));
    ch.sendData(body);
    ch.sendEnd(null);
    ch.sinkTo(new Discard(), trailers -> {});
    log(ch.request(), status, t0);
  }

  private void log(RequestHead head, int status, long t0) {
    events.relayed(head.method(), head.uri(), status, (System.nanoTime() - t0) / 1e6);
  }

  /** Swallows a request body nobody will read. */
  private static final class Discard implements io.vertx.core.streams.WriteStream<Buffer> {
    @Override
    public Discard exceptionHandler(io.vertx.core.Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Future<Void> write(Buffer data) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      return Future.succeededFuture();
    }

    @Override
    public Discard setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public Discard drainHandler(io.vertx.core.Handler<Void> handler) {
      return this;
    }
  }
}
