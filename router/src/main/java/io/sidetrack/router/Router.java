package io.sidetrack.router;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sidetrack.core.InterceptValidator;
import io.sidetrack.core.Limits;
import io.sidetrack.core.Topics;
import io.sidetrack.router.api.RestApi;
import io.sidetrack.router.auth.Authenticator;
import io.sidetrack.router.auth.BearerAuth;
import io.sidetrack.router.auth.ClaimMapping;
import io.sidetrack.router.auth.OidcAuthenticator;
import io.sidetrack.router.auth.Tokens;
import io.sidetrack.router.auth.TokensFile;
import io.sidetrack.router.cluster.ClusterView;
import io.sidetrack.router.cluster.Registrations;
import io.sidetrack.router.preview.PreviewLinks;
import io.sidetrack.router.preview.PreviewListener;
import io.sidetrack.router.preview.PreviewSite;
import io.sidetrack.router.preview.PreviewUpstream;
import io.sidetrack.router.preview.Previews;
import io.sidetrack.router.records.RecordTaps;
import io.sidetrack.router.session.NoTunnel;
import io.sidetrack.router.session.RelayEndpoint;
import io.sidetrack.router.session.SessionServices;
import io.sidetrack.router.session.TunnelEndpoint;
import io.sidetrack.router.session.Tunnels;
import io.sidetrack.router.tls.CertificateFiles;
import io.sidetrack.router.tls.CertificateReloader;
import io.sidetrack.router.tls.ListenerCertificate;
import io.sidetrack.schemas.avro.AgentHeartbeat;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryClients;
import io.sidetrack.schemas.serde.AvroSerde;
import io.sidetrack.tunnel.Control;
import io.sidetrack.tunnel.Frames;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tunnel router. Developers' CLIs open a tunnel (WebSocket, bearer token) on the public port;
 * edge agents deliver the requests their routes send here on the relay port, and the router relays
 * each through the tunnel of the intercept it carries, or answers "no tunnel" so the agent falls
 * back to the app. With a preview listener, it also serves the preview URLs of intercepts that ask
 * for one, forwarding their visitors' requests to the workload with the intercept's header.
 *
 * <p>This class is the router's composition root: it builds the parts and hands each the narrow
 * dependencies it needs; no other class of the router refers to it.
 */
public final class Router implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Router.class);

  private final RouterConfig config;
  private final Vertx vertx;
  private final TokensFile tokens;
  private Authenticator authenticator;
  private final Topics.Names topics;
  private final PrometheusMeterRegistry meters;
  private final InterceptValidator validator = new InterceptValidator(Limits.DEFAULTS);
  private final Tunnels tunnels = new Tunnels();
  private final Counter relayed;
  private final NoTunnel noTunnel;
  private final Previews previews = new Previews();
  private PreviewLinks previewLinks = PreviewLinks.none();
  private ClusterView view;
  private Registrations registrations;
  private HttpServer publicServer;
  private HttpServer relayServer;
  private PreviewListener previewListener;
  private String advertised;
  private long tick = -1;
  private long tokensWatch = -1;
  private final List<CertificateReloader> reloaders = new java.util.ArrayList<>();

  private Router(RouterConfig config, Vertx vertx, TokensFile tokens) {
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
        new NoTunnel(
            Counter.builder("sidetrack.router.no.tunnel")
                .description("Requests answered 'no tunnel' (the agent sent them to the app)")
                .register(meters));
    Gauge.builder("sidetrack.router.tunnels", tunnels, Tunnels::held)
        .description("Tunnels holding an intercept on this router")
        .register(meters);
    Gauge.builder("sidetrack.router.previews", previews, Previews::live)
        .description("Live preview URLs on this router")
        .register(meters);
  }

  /** Starts a router; it accepts tunnels at once and registers them once its view is ready. */
  public static Router start(RouterConfig config) throws Exception {
    requireNonNull(config, "config");
    if (config.signing() == null) {
      throw new IllegalArgumentException(RouterConfig.Signing.MISSING);
    }
    TokensFile tokens = config.tokensFile() == null ? null : TokensFile.read(config.tokensFile());
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
    authenticator = startAuthenticator(config.identity());
    SchemaRegistryClient registry = SchemaRegistryClients.create(config.schemaRegistry());
    registrations =
        new Registrations(
            config.bootstrapServers(),
            config.kafkaProperties(),
            topics.intercepts(),
            AvroSerde.forValues(registry, InterceptRegistration.class),
            config.signing().signer());
    view =
        new ClusterView(
            config.bootstrapServers(),
            config.kafkaProperties(),
            topics,
            AvroSerde.forValues(registry, RouteEntry.class),
            AvroSerde.forValues(registry, AgentHeartbeat.class),
            AvroSerde.forValues(registry, AuditEvent.class),
            config.agentTimeout(),
            batch -> {
              tunnels.clusterChanged(batch.audit());
              endPreviews(batch.audit());
            });
    view.start();
    // the relay port first: sessions register this router by the address it advertises
    relayServer =
        await(
            vertx
                .createHttpServer(relayOptions())
                .requestHandler(new RelayEndpoint(tunnels, noTunnel))
                .listen(config.relayPort(), config.relayHost()),
            "--relay " + config.relayHost() + ":" + config.relayPort());
    watch(relayServer, relayFiles(), relayCertificate, "relay");
    advertised =
        config.advertise() != null
            ? config.advertise()
            : advertisedHost(config.relayHost()) + ":" + relayServer.actualPort();
    if (config.preview() != null) {
      startPreviews(config.preview());
    }
    BearerAuth auth = new BearerAuth(authenticator);
    TunnelEndpoint tunnelEndpoint =
        new TunnelEndpoint(
            auth,
            new SessionServices(
                vertx,
                view,
                registrations,
                validator,
                tunnels,
                noTunnel,
                relayed,
                advertised,
                topics.agents(),
                previewLinks,
                new RecordTaps(
                    config.bootstrapServers(),
                    config.kafkaProperties(),
                    config.topicPrefix(),
                    view::recordRouting,
                    Counter.builder("sidetrack.router.records.relayed")
                        .description("Kafka records relayed to developers through tunnels")
                        .register(meters))));
    RestApi api =
        new RestApi(
            view,
            auth,
            id ->
                tunnels
                    .removing(id)
                    .compose(v -> Future.fromCompletionStage(registrations.remove(id))),
            meters::scrape);
    HttpServerOptions tunnelOptions =
        new HttpServerOptions()
            .setTcpNoDelay(true)
            .setIdleTimeout(30)
            // a tunnel is dead once nothing came from the CLI, which pings every 5 s, for three
            // pings: a laptop whose network went away closes nothing, and requests still being
            // written into its tunnel would keep an idle timeout that counts writes from firing
            .setReadIdleTimeout(15)
            .setIdleTimeoutUnit(TimeUnit.SECONDS)
            .setMaxWebSocketFrameSize(Frames.MAX_FRAME)
            .setMaxWebSocketMessageSize(Frames.MAX_MESSAGE);
    CertificateFiles listenerFiles = listenerFiles();
    ListenerCertificate listenerCertificate = null;
    if (listenerFiles != null) {
      listenerCertificate = ListenerCertificate.read(vertx, listenerFiles);
      listenerCertificate.applyTo(tunnelOptions);
    }
    publicServer =
        await(
            vertx
                .createHttpServer(tunnelOptions)
                .requestHandler(
                    req -> {
                      if (req.path().equals(Control.PATH)) {
                        tunnelEndpoint.handle(req);
                      } else {
                        api.handle(req);
                      }
                    })
                .listen(config.listenPort(), config.listenHost()),
            "--listen " + config.listenHost() + ":" + config.listenPort());
    watch(publicServer, listenerFiles, listenerCertificate, "developer listener");
    // heartbeats age out: look again now and then even when Kafka brings nothing new
    tick =
        vertx.setPeriodic(
            1000,
            t -> {
              tunnels.clusterChanged(List.of());
              previews.sweep();
            });
    try {
      registrations.warmUp();
    } catch (RuntimeException e) {
      LOG.warn("Kafka not reachable yet: {}", e.getMessage());
    }
    LOG.info(
        "Router on {}://{}:{} (tunnels, API), relay on {}:{}{} advertised as {}; {} tokens, OIDC {}",
        listenerFiles == null ? "http" : "https",
        config.listenHost(),
        publicServer.actualPort(),
        config.relayHost(),
        relayServer.actualPort(),
        config.tls().relay() == null
            ? ""
            : config.tls().relayClientCa() == null ? " (TLS)" : " (mutual TLS)",
        advertised,
        tokens == null ? 0 : tokens.tokens().size(),
        config.identity().oidc() ? config.identity().oidcIssuer() : "off");
  }

  /** The tokens file (watched for changes) and OIDC, as configured. */
  private Authenticator startAuthenticator(RouterConfig.Identity identity) {
    if (tokens != null && !identity.tokensReload().isZero()) {
      tokensWatch = tokens.watch(vertx, identity.tokensReload());
    }
    OidcAuthenticator oidc = null;
    if (identity.oidc()) {
      oidc =
          OidcAuthenticator.create(
              vertx,
              identity.oidcIssuer(),
              identity.oidcJwksUrl(),
              identity.oidcAudience(),
              identity.clockSkew(),
              new ClaimMapping(
                  identity.identityClaim(),
                  identity.workloadsClaim(),
                  identity.groupsClaim(),
                  identity.groupWorkloads()));
      try {
        oidc.warmUp().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // not fatal: the keys are fetched again with the first JWT
        LOG.warn(
            "Keys of OIDC issuer {} not fetched yet: {}",
            identity.oidcIssuer(),
            e.getCause() != null ? e.getCause().getMessage() : e.toString());
      }
    }
    return Authenticator.of(tokens, oidc);
  }

  private ListenerCertificate relayCertificate;

  /** The relay's server options: plain, TLS, or TLS asking agents for a certificate. */
  private HttpServerOptions relayOptions() {
    HttpServerOptions options = new HttpServerOptions().setTcpNoDelay(true);
    CertificateFiles files = relayFiles();
    if (files != null) {
      relayCertificate = ListenerCertificate.read(vertx, files);
      relayCertificate.applyTo(options);
    }
    return options;
  }

  private CertificateFiles listenerFiles() {
    RouterConfig.KeyPair pair = config.tls().listener();
    return pair == null
        ? null
        : new CertificateFiles(
            pair.cert(),
            "--tls-cert (SIDETRACK_TLS_CERT)",
            pair.key(),
            "--tls-key (SIDETRACK_TLS_KEY)",
            null,
            null);
  }

  private CertificateFiles relayFiles() {
    RouterConfig.KeyPair pair = config.tls().relay();
    return pair == null
        ? null
        : new CertificateFiles(
            pair.cert(),
            "--relay-tls-cert (SIDETRACK_RELAY_TLS_CERT)",
            pair.key(),
            "--relay-tls-key (SIDETRACK_RELAY_TLS_KEY)",
            config.tls().relayClientCa(),
            "--relay-client-ca (SIDETRACK_RELAY_CLIENT_CA)");
  }

  /** Reloads {@code server}'s certificate when its files change (nothing without TLS). */
  private void watch(
      HttpServer server, CertificateFiles files, ListenerCertificate current, String name) {
    if (files != null) {
      reloaders.add(
          CertificateReloader.watch(
              vertx, server, files, current, name, config.tls().reloadInterval()));
    }
  }

  /** The preview listener, and the links sessions hand out for it. */
  private void startPreviews(RouterConfig.Preview preview) throws Exception {
    Map<String, PreviewUpstream> upstreams = new LinkedHashMap<>();
    preview.upstreams().forEach((w, url) -> upstreams.put(w, PreviewUpstream.of(url)));
    // no TLS on the preview listener yet: PreviewSite is where https would be chosen
    PreviewSite site = new PreviewSite(preview.domain(), false);
    String what = "--preview-listen " + preview.listenHost() + ":" + preview.listenPort();
    try {
      previewListener =
          PreviewListener.start(
                  vertx,
                  preview.listenHost(),
                  preview.listenPort(),
                  site,
                  previews,
                  upstreams,
                  t -> authenticator.identify(t).map(Tokens.Identity::name))
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(
          "cannot listen on " + what + ": " + e.getCause().getMessage(), e);
    }
    previewLinks = previewListener.links();
    LOG.info(
        "Preview URLs on {}:{} as http://<code>.{}:{}/ for {}",
        preview.listenHost(),
        previewListener.port(),
        preview.domain(),
        previewListener.port(),
        upstreams.isEmpty() ? "no workload (no --preview-upstream)" : upstreams.keySet());
  }

  /** An intercept that expired or was removed takes its preview with it, tunnel or not. */
  private void endPreviews(List<AuditEvent> audit) {
    for (AuditEvent e : audit) {
      switch (e.getKind()) {
        case EXPIRED, REMOVED -> previews.end(e.getInterceptId());
        default -> {}
      }
    }
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

  /** The cluster as this router last read it. */
  public ClusterView view() {
    return view;
  }

  public Topics.Names topics() {
    return topics;
  }

  public PrometheusMeterRegistry meters() {
    return meters;
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

  /** The bound preview port, or -1 without a preview listener. */
  public int previewPort() {
    return previewListener == null ? -1 : previewListener.port();
  }

  /** {@code http://HOST:PORT} of the public port ({@code https://} with a certificate). */
  public String url() {
    String host = config.listenHost().equals("0.0.0.0") ? "127.0.0.1" : config.listenHost();
    return (config.tls().listener() == null ? "http://" : "https://") + host + ":" + port();
  }

  @Override
  public void close() {
    if (tick >= 0) {
      vertx.cancelTimer(tick);
    }
    if (tokensWatch >= 0) {
      vertx.cancelTimer(tokensWatch);
    }
    reloaders.forEach(CertificateReloader::close);
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
