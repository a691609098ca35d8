package io.sidetrack.edge;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sidetrack.edge.bridge.BaggageBridging;
import io.sidetrack.edge.dispatch.DispatchMetrics;
import io.sidetrack.edge.dispatch.Dispatcher;
import io.sidetrack.edge.dispatch.RouterBreaker;
import io.sidetrack.edge.proxy.EdgeProxy;
import io.sidetrack.edge.proxy.FastFront;
import io.sidetrack.edge.routing.RouteFeed;
import io.sidetrack.edge.status.AdminApi;
import io.sidetrack.schemas.avro.AgentHeartbeat;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.heartbeat.Heartbeats;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryClients;
import io.sidetrack.schemas.serde.AvroSerde;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running edge agent: route feed, proxy, admin endpoints and heartbeats. */
public final class EdgeAgent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeAgent.class);

  private final EdgeAgentConfig config;
  private final Vertx vertx;
  private final RouteFeed feed;
  private final EdgeProxy proxy;
  private final FastFront front;
  private final AdminApi admin;
  private final Heartbeats heartbeats;

  private EdgeAgent(
      EdgeAgentConfig config,
      Vertx vertx,
      RouteFeed feed,
      EdgeProxy proxy,
      FastFront front,
      AdminApi admin,
      Heartbeats heartbeats) {
    this.config = config;
    this.vertx = vertx;
    this.feed = feed;
    this.proxy = proxy;
    this.front = front;
    this.admin = admin;
    this.heartbeats = heartbeats;
  }

  /**
   * Starts the agent: it takes traffic at once (routing everything to the app until its table has
   * caught up; {@code /ready} says when).
   */
  public static EdgeAgent start(EdgeAgentConfig config) throws Exception {
    requireNonNull(config, "config");
    if (config.trustedRouters().isEmpty()) {
      throw new IllegalArgumentException(EdgeAgentConfig.NO_TRUSTED_KEYS);
    }
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // The registry client starts beside the route feed's consumer, which needs it only to decode:
    // a new agent is ready sooner.
    java.util.concurrent.CompletableFuture<SchemaRegistryClient> registryClient =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> SchemaRegistryClients.create(config.schemaRegistry()));
    RouteFeed feed =
        new RouteFeed(
            config.workload(),
            config.bootstrapServers(),
            config.kafkaProperties(),
            config.topics().routes(),
            () -> AvroSerde.forValues(registryClient.join(), RouteEntry.class),
            config.trustedRouters(),
            meters);
    // Catching up with the partition overlaps with the rest of the start-up.
    feed.start();
    new JvmMemoryMetrics().bindTo(meters);
    SchemaRegistryClient registry;
    try {
      registry = registryClient.join();
    } catch (java.util.concurrent.CompletionException e) {
      feed.close();
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
    VertxOptions options = new VertxOptions().setPreferNativeTransport(true);
    if (config.eventLoops() > 0) {
      options.setEventLoopPoolSize(config.eventLoops());
    }
    Vertx vertx = Vertx.vertx(options);
    ClientSSLOptions routerSsl;
    try {
      routerSsl = routerSsl(vertx, config.routerTls());
    } catch (IllegalArgumentException e) {
      vertx.close();
      feed.close();
      throw e;
    }
    RouterBreaker breaker = new RouterBreaker(config.breakerFailures(), config.breakerOpenFor());
    Dispatcher dispatcher =
        new Dispatcher(feed::current, feed::trusted, breaker, new DispatchMetrics(meters));
    BaggageBridging bridging = new BaggageBridging(config.bridgeBaggage(), meters);
    EdgeProxy proxy =
        new EdgeProxy(
            vertx,
            dispatcher,
            bridging,
            config.trustForwarded(),
            config.workload(),
            config.appHost(),
            config.appPort(),
            config.appHttp2(),
            config.routerConnectTimeout(),
            routerSsl);
    FastFront front =
        config.fastFront()
            ? new FastFront(
                (VertxInternal) vertx,
                dispatcher,
                bridging,
                config.trustForwarded(),
                proxy,
                config.workload(),
                config.appHost(),
                config.appPort(),
                (int) config.routerConnectTimeout().toMillis(),
                config.idleTimeout(),
                config.routerTls().enabled())
            : null;
    AdminApi admin = new AdminApi(vertx, feed, meters, config.agentId());
    try {
      admin
          .listen(config.adminHost(), config.adminPort())
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      if (front == null) {
        proxy
            .listen(config.listenHost(), config.listenPort())
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
      } else {
        // the full proxy behind the front, on loopback only
        int full =
            proxy
                .listen("127.0.0.1", 0)
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        front
            .listen(config.listenHost(), config.listenPort(), full)
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      feed.close();
      vertx.close();
      throw new IllegalStateException("cannot listen: " + rootMessage(e), e);
    }
    Heartbeats heartbeats =
        new Heartbeats(
            config.agentId(),
            config.workload(),
            config.bootstrapServers(),
            config.kafkaProperties(),
            config.topics().agents(),
            AvroSerde.forValues(registry, AgentHeartbeat.class),
            config.heartbeatInterval(),
            feed.progress());
    heartbeats.start();
    LOG.info(
        "Edge agent {} for {} on {}:{} -> app {}:{}; admin on {}:{}",
        config.agentId(),
        config.workload(),
        config.listenHost(),
        front == null ? proxy.port() : front.port(),
        config.appHost(),
        config.appPort(),
        config.adminHost(),
        admin.port());
    return new EdgeAgent(config, vertx, feed, proxy, front, admin, heartbeats);
  }

  private static String rootMessage(Throwable e) {
    while (e.getCause() != null) {
      e = e.getCause();
    }
    return e.getMessage();
  }

  /** The port taking the workload's traffic. */
  public int port() {
    return front == null ? proxy.port() : front.port();
  }

  /**
   * The port of the full Vert.x proxy: behind the fast front (on loopback) when there is one, else
   * the same as {@link #port()}. Tests send to it to try the Vert.x path alone.
   */
  public int fullProxyPort() {
    return proxy.port();
  }

  /** The port of {@code /ready}, {@code /health}, {@code /metrics}. */
  public int adminPort() {
    return admin.port();
  }

  /** The route feed, for tests and status. */
  public RouteFeed routes() {
    return feed;
  }

  public EdgeAgentConfig config() {
    return config;
  }

  @Override
  public void close() {
    heartbeats.close();
    feed.close();
    if (front != null) {
      front.close();
    }
    proxy.close();
    vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    LOG.info("Edge agent {} stopped", config.agentId());
  }

  /**
   * The TLS options of connections to routers, read and checked now (a bad file fails the start
   * with one line), or {@code null}: plain.
   */
  private static ClientSSLOptions routerSsl(Vertx vertx, EdgeAgentConfig.RouterTls tls) {
    if (!tls.enabled()) {
      return null;
    }
    PemTrustOptions trust = new PemTrustOptions();
    try {
      trust.addCertValue(io.vertx.core.buffer.Buffer.buffer(Files.readAllBytes(tls.routerCa())));
      trust.getTrustManagerFactory(vertx);
    } catch (Exception e) {
      throw new IllegalArgumentException(
          "cannot read --router-ca (SIDETRACK_ROUTER_CA) " + tls.routerCa() + ": " + why(e), e);
    }
    ClientSSLOptions ssl = new ClientSSLOptions().setTrustOptions(trust);
    if (tls.cert() != null) {
      PemKeyCertOptions cert = new PemKeyCertOptions();
      try {
        cert.setCertValue(io.vertx.core.buffer.Buffer.buffer(Files.readAllBytes(tls.cert())))
            .setKeyValue(io.vertx.core.buffer.Buffer.buffer(Files.readAllBytes(tls.key())))
            .getKeyManagerFactory(vertx);
      } catch (Exception e) {
        throw new IllegalArgumentException(
            "cannot read --tls-cert (SIDETRACK_TLS_CERT) "
                + tls.cert()
                + " and --tls-key (SIDETRACK_TLS_KEY) "
                + tls.key()
                + ": "
                + why(e),
            e);
      }
      ssl.setKeyCertOptions(cert);
    }
    return ssl;
  }

  private static String why(Exception e) {
    return e instanceof java.nio.file.NoSuchFileException
        ? "no such file"
        : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
