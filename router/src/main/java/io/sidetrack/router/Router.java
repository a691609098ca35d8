package io.sidetrack.router;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sidetrack.core.InterceptValidator;
import io.sidetrack.core.Limits;
import io.sidetrack.core.RelayHeaders;
import io.sidetrack.core.Topics;
import io.sidetrack.router.api.RestApi;
import io.sidetrack.router.api.Tokens;
import io.sidetrack.router.cluster.ClusterView;
import io.sidetrack.router.cluster.Registrations;
import io.sidetrack.router.tunnel.Control;
import io.sidetrack.router.tunnel.Frames;
import io.sidetrack.schemas.avro.AgentHeartbeat;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryClients;
import io.sidetrack.schemas.serde.AvroSerde;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.ServerWebSocket;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tunnel router. Developers' CLIs open a tunnel (WebSocket, bearer token) on the public port;
 * edge agents deliver the requests their routes send here on the relay port, and the router relays
 * each through the tunnel of the intercept it carries, or answers "no tunnel" so the agent falls
 * back to the app.
 */
public final class Router implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Router.class);

  private final RouterConfig config;
  private final Vertx vertx;
  private final Tokens tokens;
  private final Topics.Names topics;
  private final PrometheusMeterRegistry meters;
  private final InterceptValidator validator = new InterceptValidator(Limits.DEFAULTS);
  private final Map<String, TunnelSession> tunnels = new ConcurrentHashMap<>();
  private final Set<TunnelSession> sessions = ConcurrentHashMap.newKeySet();
  private final Counter relayed;
  private final Counter noTunnel;
  private ClusterView view;
  private Registrations registrations;
  private HttpServer publicServer;
  private HttpServer relayServer;
  private String advertised;
  private long tick = -1;

  private Router(RouterConfig config, Vertx vertx, Tokens tokens) {
    this.config = config;
    this.vertx = vertx;
    this.tokens = tokens;
    this.topics = Topics.DEFAULT.withPrefix(config.topicPrefix());
    this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(meters);
    this.relayed =
        Counter.builder("sidetrack.router.relayed")
            .description("Requests relayed through a tunnel")
            .register(meters);
    this.noTunnel =
        Counter.builder("sidetrack.router.no.tunnel")
            .description("Requests answered 'no tunnel' (the agent sent them to the app)")
            .register(meters);
    Gauge.builder("sidetrack.router.tunnels", tunnels, Map::size)
        .description("Tunnels holding an intercept on this router")
        .register(meters);
  }

  /** Starts a router; it accepts tunnels at once and registers them once its view is ready. */
  public static Router start(RouterConfig config) throws Exception {
    requireNonNull(config, "config");
    Tokens tokens = Tokens.read(config.tokensFile());
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    Router router = new Router(config, vertx, tokens);
    try {
      router.startAll();
    } catch (Exception e) {
      router.close();
      throw e;
    }
    return router;
  }

  private void startAll() throws Exception {
    SchemaRegistryClient registry = SchemaRegistryClients.create(config.schemaRegistry());
    registrations =
        new Registrations(
            config.bootstrapServers(),
            config.kafkaProperties(),
            topics.intercepts(),
            AvroSerde.forValues(registry, InterceptRegistration.class));
    view =
        new ClusterView(
            config.bootstrapServers(),
            config.kafkaProperties(),
            topics,
            AvroSerde.forValues(registry, RouteEntry.class),
            AvroSerde.forValues(registry, AgentHeartbeat.class),
            AvroSerde.forValues(registry, AuditEvent.class),
            config.agentTimeout(),
            batch -> changed(batch.audit()));
    view.start();
    HttpServerOptions tunnelOptions =
        new HttpServerOptions()
            .setTcpNoDelay(true)
            .setIdleTimeout(30)
            .setIdleTimeoutUnit(TimeUnit.SECONDS)
            .setMaxWebSocketFrameSize(Frames.MAX_FRAME)
            .setMaxWebSocketMessageSize(Frames.MAX_MESSAGE);
    RestApi api = new RestApi(this);
    publicServer =
        await(
            vertx
                .createHttpServer(tunnelOptions)
                .requestHandler(req -> publicRequest(req, api))
                .listen(config.listenPort(), config.listenHost()),
            "--listen " + config.listenHost() + ":" + config.listenPort());
    relayServer =
        await(
            vertx
                .createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
                .requestHandler(this::relay)
                .listen(config.relayPort(), config.relayHost()),
            "--relay " + config.relayHost() + ":" + config.relayPort());
    advertised =
        config.advertise() != null
            ? config.advertise()
            : advertisedHost(config.relayHost()) + ":" + relayServer.actualPort();
    // heartbeats age out: look again now and then even when Kafka brings nothing new
    tick = vertx.setPeriodic(1000, t -> changed(java.util.List.of()));
    try {
      registrations.warmUp();
    } catch (RuntimeException e) {
      LOG.warn("Kafka not reachable yet: {}", e.getMessage());
    }
    LOG.info(
        "Router on {}:{} (tunnels, API), relay on {}:{} advertised as {}; {} tokens",
        config.listenHost(),
        publicServer.actualPort(),
        config.relayHost(),
        relayServer.actualPort(),
        advertised,
        tokens.size());
  }

  private static HttpServer await(Future<HttpServer> listening, String what) throws Exception {
    try {
      return listening.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(
          "cannot listen on " + what + ": " + e.getCause().getMessage(), e);
    }
  }

  private static String advertisedHost(String relayHost) {
    if (!relayHost.equals("0.0.0.0") && !relayHost.equals("::")) {
      return relayHost;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "127.0.0.1";
    }
  }

  private void changed(java.util.List<AuditEvent> audit) {
    for (TunnelSession s : sessions) {
      s.context()
          .runOnContext(
              v -> {
                for (AuditEvent e : audit) {
                  s.audit(e);
                }
                s.evaluate();
              });
    }
  }

  private void publicRequest(HttpServerRequest req, RestApi api) {
    if (!req.path().equals(Control.PATH)) {
      api.handle(req);
      return;
    }
    Optional<Tokens.Identity> who = authenticate(req);
    if (who.isEmpty()) {
      return;
    }
    req.toWebSocket()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                LOG.debug("Tunnel handshake failed: {}", ar.cause().toString());
                return;
              }
              ServerWebSocket ws = ar.result();
              TunnelSession session = new TunnelSession(this, ws, who.get());
              sessions.add(session);
              session.start();
            });
  }

  /** The identity behind the request's bearer token; answers 401 itself when there is none. */
  public Optional<Tokens.Identity> authenticate(HttpServerRequest req) {
    String auth = req.getHeader(HttpHeaders.AUTHORIZATION);
    String token =
        auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
            ? auth.substring(7).trim()
            : null;
    Optional<Tokens.Identity> who = tokens.identify(token);
    if (who.isEmpty()) {
      req.response()
          .setStatusCode(401)
          .putHeader("WWW-Authenticate", "Bearer")
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(
              new io.vertx.core.json.JsonObject()
                  .put(
                      "error",
                      token == null
                          ? "no bearer token: pass --token or set SIDETRACK_TOKEN"
                          : "unknown token: the router's tokens file does not list it")
                  .encode());
    }
    return who;
  }

  private void relay(HttpServerRequest req) {
    String id = req.getHeader(RelayHeaders.INTERCEPT);
    TunnelSession session = id == null ? null : tunnels.get(id);
    if (session == null) {
      noTunnel(
          req,
          id == null
              ? "the request names no intercept (" + RelayHeaders.INTERCEPT + ")"
              : "no tunnel for intercept " + id + " on this router");
      return;
    }
    boolean upgrade =
        req.version() == HttpVersion.HTTP_1_1
            && req.headers().contains(HttpHeaders.UPGRADE)
            && !req.getHeader(HttpHeaders.UPGRADE).startsWith("h2c");
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    boolean hasBody =
        !upgrade
            && ((length != null && !length.equals("0"))
                || req.headers().contains(HttpHeaders.TRANSFER_ENCODING));
    if (hasBody) {
      req.pause();
    }
    session.relay(req, hasBody, upgrade);
  }

  /**
   * Answers that this router holds no tunnel for the request's intercept; before any {@code 100
   * Continue}, so the agent still has the whole request for the app.
   */
  void noTunnel(HttpServerRequest req, String reason) {
    if (req.response().ended() || req.response().closed()) {
      return;
    }
    noTunnel.increment();
    LOG.debug("No tunnel for {}: {}", req.uri(), reason);
    req.response()
        .setStatusCode(502)
        .putHeader(RelayHeaders.NO_TUNNEL, reason.replaceAll("[\\r\\n]", " "))
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .end("no tunnel: " + reason + "\n");
  }

  // ---- what sessions and the API use ---------------------------------------------------------

  Vertx vertx() {
    return vertx;
  }

  public ClusterView view() {
    return view;
  }

  Registrations registrations() {
    return registrations;
  }

  InterceptValidator validator() {
    return validator;
  }

  Map<String, TunnelSession> tunnels() {
    return tunnels;
  }

  Set<TunnelSession> sessions() {
    return sessions;
  }

  Counter relayed() {
    return relayed;
  }

  public Topics.Names topics() {
    return topics;
  }

  public PrometheusMeterRegistry meters() {
    return meters;
  }

  /**
   * Ends the tunnel of an intercept about to be removed through the API, if this router holds it,
   * so that no renewal follows the tombstone; the future completes once it stopped renewing.
   */
  public Future<Void> removing(String interceptId) {
    TunnelSession s = tunnels.get(interceptId);
    if (s == null) {
      return Future.succeededFuture();
    }
    io.vertx.core.Promise<Void> stopped = io.vertx.core.Promise.promise();
    s.context()
        .runOnContext(
            v -> {
              s.removedByApi();
              stopped.complete();
            });
    return stopped.future();
  }

  /** Publishes the tombstone of an intercept. */
  public java.util.concurrent.CompletableFuture<Void> tombstone(String interceptId) {
    return registrations.remove(interceptId);
  }

  /** The relay address agents reach this router at ({@code HOST:PORT}). */
  public String advertised() {
    return advertised;
  }

  /** The bound public port (tunnels and API). */
  public int port() {
    return publicServer.actualPort();
  }

  /** The bound relay port. */
  public int relayPort() {
    return relayServer.actualPort();
  }

  /** {@code http://HOST:PORT} of the public port. */
  public String url() {
    String host = config.listenHost().equals("0.0.0.0") ? "127.0.0.1" : config.listenHost();
    return "http://" + host + ":" + port();
  }

  @Override
  public void close() {
    if (tick >= 0) {
      vertx.cancelTimer(tick);
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Router did not stop cleanly: {}", e.toString());
    }
    if (view != null) {
      view.close();
    }
    if (registrations != null) {
      registrations.close();
    }
  }
}
