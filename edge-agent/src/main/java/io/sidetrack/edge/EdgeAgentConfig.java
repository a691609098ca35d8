package io.sidetrack.edge;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.InterceptValidator;
import io.sidetrack.core.Topics;
import io.sidetrack.core.http.ForwardedTrust;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import java.time.Duration;
import java.util.Map;

/**
 * Everything one edge agent is configured with.
 *
 * @param workload the workload whose traffic it routes
 * @param agentId its id in {@code sidetrack.agents}
 * @param listenHost where it takes the workload's traffic
 * @param listenPort that port (0: a free one)
 * @param appHost the workload's own app
 * @param appPort its port
 * @param appHttp2 whether the app speaks HTTP/2 without TLS (h2c): HTTP/2 requests (gRPC) then
 *     reach it over HTTP/2; otherwise every request reaches it over HTTP/1.1
 * @param adminHost where {@code /ready}, {@code /health} and {@code /metrics} answer
 * @param adminPort that port (0: a free one)
 * @param bootstrapServers Kafka
 * @param schemaRegistry the schema registry
 * @param topicPrefix put in front of every topic name
 * @param routerConnectTimeout how long a router may take to accept a connection
 * @param breakerFailures consecutive failures that open a router's circuit
 * @param breakerOpenFor how long an open circuit sends traffic past the router
 * @param heartbeatInterval how often it reports the offset it applied
 * @param eventLoops Vert.x event loops (0: Vert.x's default, two per core); a sidecar's default is
 *     {@link #DEFAULT_EVENT_LOOPS}
 * @param fastFront whether plain HTTP/1.1 requests take the byte-level fast path ({@link
 *     io.sidetrack.edge.proxy.FastFront}); off, every request takes the full Vert.x proxy
 * @param idleTimeout how long the fast front keeps a client connection with no request under way; a
 *     head still coming in by then is answered 408; a request under way is never cut (zero: no
 *     limit)
 * @param bridgeBaggage whether a request that carries {@code x-sidetrack-id}, or goes to its
 *     route's router, gets the W3C baggage member {@code sidetrack-id} on its way ({@link
 *     io.sidetrack.core.baggage.BaggageBridge})
 * @param trustForwarded the clients whose {@code X-Forwarded-*} and {@code Forwarded} fields go on
 *     to the app with the client appended; any other client's are replaced ({@link ForwardedTrust})
 * @param kafkaProperties extra Kafka client properties
 * @param routerTls how it connects to routers' relay ports: plain ({@link RouterTls#NONE}), or TLS
 *     to every router, verified by a CA and optionally presenting a client certificate
 * @param trustedRouters the routers' public keys: a route entry none of them signed is refused; an
 *     agent with none does not start
 */
public record EdgeAgentConfig(
    String workload,
    String agentId,
    String listenHost,
    int listenPort,
    String appHost,
    int appPort,
    boolean appHttp2,
    String adminHost,
    int adminPort,
    String bootstrapServers,
    SchemaRegistryConfig schemaRegistry,
    String topicPrefix,
    Duration routerConnectTimeout,
    int breakerFailures,
    Duration breakerOpenFor,
    Duration heartbeatInterval,
    int eventLoops,
    boolean fastFront,
    Duration idleTimeout,
    boolean bridgeBaggage,
    ForwardedTrust trustForwarded,
    Map<String, String> kafkaProperties,
    RouterTls routerTls,
    TrustedKeys trustedRouters) {

  /** Where {@link #of} answers {@code /ready}, {@code /health} and {@code /metrics}: loopback. */
  public static final String DEFAULT_ADMIN_HOST = "127.0.0.1";

  /** {@link #of}'s admin port: a free one. */
  public static final int DEFAULT_ADMIN_PORT = 0;

  /** The default topic prefix: none. */
  public static final String DEFAULT_TOPIC_PREFIX = "";

  public static final boolean DEFAULT_APP_HTTP2 = false;
  public static final boolean DEFAULT_FAST_FRONT = true;
  public static final Duration DEFAULT_ROUTER_CONNECT_TIMEOUT = Duration.ofSeconds(1);
  public static final int DEFAULT_BREAKER_FAILURES = 5;
  public static final Duration DEFAULT_BREAKER_OPEN_FOR = Duration.ofSeconds(5);
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(2);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final boolean DEFAULT_BRIDGE_BAGGAGE = true;

  /**
   * Event loops of a sidecar: two carry the 1,000s of requests per second a pod gets without the
   * threads (and memory) of Vert.x's two per core of a large node.
   */
  public static final int DEFAULT_EVENT_LOOPS = 2;

  /**
   * How the agent connects to routers. With a CA it speaks TLS to every router (the one decision:
   * {@link #enabled}), accepting only a router certificate that CA signed and that names the host
   * the route gives; with a certificate and key it also presents them, for a relay that requires
   * mutual TLS. Without a CA, plain TCP.
   *
   * @param routerCa PEM CA certificate(s) routers' relay certificates are signed by, or {@code
   *     null}: plain
   * @param cert the agent's PEM client certificate, or {@code null}: none
   * @param key its PEM private key, or {@code null}: none
   */
  public record RouterTls(
      java.nio.file.Path routerCa, java.nio.file.Path cert, java.nio.file.Path key) {
    /** Plain TCP to every router. */
    public static final RouterTls NONE = new RouterTls(null, null, null);

    public RouterTls {
      if ((cert == null) != (key == null)) {
        throw new IllegalArgumentException(
            cert == null
                ? "--tls-key (SIDETRACK_TLS_KEY) needs --tls-cert (SIDETRACK_TLS_CERT)"
                : "--tls-cert (SIDETRACK_TLS_CERT) needs --tls-key (SIDETRACK_TLS_KEY)");
      }
      if (cert != null && routerCa == null) {
        throw new IllegalArgumentException(
            "--tls-cert (SIDETRACK_TLS_CERT) needs --router-ca (SIDETRACK_ROUTER_CA): a client"
                + " certificate goes only to routers verified over TLS");
      }
    }

    /** Whether the agent speaks TLS to routers. */
    public boolean enabled() {
      return routerCa != null;
    }
  }

  public EdgeAgentConfig {
    requireNonNull(routerTls, "routerTls");
    requireNonNull(workload, "workload");
    requireNonNull(agentId, "agentId");
    requireNonNull(listenHost, "listenHost");
    requireNonNull(appHost, "appHost");
    requireNonNull(adminHost, "adminHost");
    requireNonNull(bootstrapServers, "bootstrapServers");
    requireNonNull(schemaRegistry, "schemaRegistry");
    requireNonNull(topicPrefix, "topicPrefix");
    requireNonNull(routerConnectTimeout, "routerConnectTimeout");
    requireNonNull(breakerOpenFor, "breakerOpenFor");
    requireNonNull(heartbeatInterval, "heartbeatInterval");
    requireNonNull(idleTimeout, "idleTimeout");
    requireNonNull(trustForwarded, "trustForwarded");
    checkPositive(
        "--router-connect-timeout (SIDETRACK_ROUTER_CONNECT_TIMEOUT)", routerConnectTimeout);
    checkPositive("--heartbeat-interval (SIDETRACK_HEARTBEAT_INTERVAL)", heartbeatInterval);
    if (breakerOpenFor.isNegative()) {
      throw new IllegalArgumentException(
          "invalid --breaker-open-for (SIDETRACK_BREAKER_OPEN_FOR): '"
              + breakerOpenFor
              + "' (0 or more)");
    }
    if (idleTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "invalid --idle-timeout (SIDETRACK_IDLE_TIMEOUT): '" + idleTimeout + "' (0 or more)");
    }
    kafkaProperties = Map.copyOf(requireNonNull(kafkaProperties, "kafkaProperties"));
    requireNonNull(trustedRouters, "trustedRouters");
    if (!InterceptValidator.isValidWorkload(workload)) {
      throw new IllegalArgumentException(
          "invalid --workload (SIDETRACK_WORKLOAD): '" + workload + "' (an RFC 1123 label)");
    }
    checkPort("--listen (SIDETRACK_LISTEN)", listenPort);
    checkPort("--app (SIDETRACK_APP)", appPort);
    checkPort("--admin (SIDETRACK_ADMIN)", adminPort);
    if (appPort == 0) {
      throw new IllegalArgumentException("invalid --app (SIDETRACK_APP): the port cannot be 0");
    }
    if (breakerFailures < 1) {
      throw new IllegalArgumentException(
          "invalid --breaker-failures (SIDETRACK_BREAKER_FAILURES): '"
              + breakerFailures
              + "' (1 or more)");
    }
    if (eventLoops < 0) {
      throw new IllegalArgumentException(
          "invalid --event-loops (SIDETRACK_EVENT_LOOPS): '" + eventLoops + "' (0 or more)");
    }
  }

  private static void checkPositive(String setting, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          "invalid " + setting + ": '" + value + "' (a positive duration)");
    }
  }

  private static void checkPort(String setting, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("invalid " + setting + " port: '" + port + "' (0-65535)");
    }
  }

  /** The topic names with this deployment's prefix. */
  public Topics.Names topics() {
    return Topics.DEFAULT.withPrefix(topicPrefix);
  }

  /** A configuration with the defaults for everything but the essentials. */
  public static EdgeAgentConfig of(
      String workload,
      String listenHost,
      int listenPort,
      String appHost,
      int appPort,
      String bootstrapServers,
      SchemaRegistryConfig schemaRegistry) {
    return new EdgeAgentConfig(
        workload,
        workload + "-" + java.util.UUID.randomUUID().toString().substring(0, 8),
        listenHost,
        listenPort,
        appHost,
        appPort,
        DEFAULT_APP_HTTP2,
        DEFAULT_ADMIN_HOST,
        DEFAULT_ADMIN_PORT,
        bootstrapServers,
        schemaRegistry,
        DEFAULT_TOPIC_PREFIX,
        DEFAULT_ROUTER_CONNECT_TIMEOUT,
        DEFAULT_BREAKER_FAILURES,
        DEFAULT_BREAKER_OPEN_FOR,
        DEFAULT_HEARTBEAT_INTERVAL,
        DEFAULT_EVENT_LOOPS,
        DEFAULT_FAST_FRONT,
        DEFAULT_IDLE_TIMEOUT,
        DEFAULT_BRIDGE_BAGGAGE,
        ForwardedTrust.privateNetworks(),
        Map.of(),
        RouterTls.NONE,
        TrustedKeys.none());
  }

  /** This configuration with the app speaking h2c or not. */
  public EdgeAgentConfig withAppHttp2(boolean http2) {
    return new EdgeAgentConfig(
        workload,
        agentId,
        listenHost,
        listenPort,
        appHost,
        appPort,
        http2,
        adminHost,
        adminPort,
        bootstrapServers,
        schemaRegistry,
        topicPrefix,
        routerConnectTimeout,
        breakerFailures,
        breakerOpenFor,
        heartbeatInterval,
        eventLoops,
        fastFront,
        idleTimeout,
        bridgeBaggage,
        trustForwarded,
        kafkaProperties,
        routerTls,
        trustedRouters);
  }

  /** This configuration with baggage bridging on or off. */
  public EdgeAgentConfig withBridgeBaggage(boolean bridge) {
    return new EdgeAgentConfig(
        workload,
        agentId,
        listenHost,
        listenPort,
        appHost,
        appPort,
        appHttp2,
        adminHost,
        adminPort,
        bootstrapServers,
        schemaRegistry,
        topicPrefix,
        routerConnectTimeout,
        breakerFailures,
        breakerOpenFor,
        heartbeatInterval,
        eventLoops,
        fastFront,
        idleTimeout,
        bridge,
        trustForwarded,
        kafkaProperties,
        routerTls,
        trustedRouters);
  }

  /** This configuration with another topic prefix. */
  public EdgeAgentConfig withTopicPrefix(String prefix) {
    return new EdgeAgentConfig(
        workload,
        agentId,
        listenHost,
        listenPort,
        appHost,
        appPort,
        appHttp2,
        adminHost,
        adminPort,
        bootstrapServers,
        schemaRegistry,
        prefix,
        routerConnectTimeout,
        breakerFailures,
        breakerOpenFor,
        heartbeatInterval,
        eventLoops,
        fastFront,
        idleTimeout,
        bridgeBaggage,
        trustForwarded,
        kafkaProperties,
        routerTls,
        trustedRouters);
  }

  /** This configuration connecting to routers as {@code newTls} says. */
  public EdgeAgentConfig withRouterTls(RouterTls newTls) {
    return new EdgeAgentConfig(
        workload,
        agentId,
        listenHost,
        listenPort,
        appHost,
        appPort,
        appHttp2,
        adminHost,
        adminPort,
        bootstrapServers,
        schemaRegistry,
        topicPrefix,
        routerConnectTimeout,
        breakerFailures,
        breakerOpenFor,
        heartbeatInterval,
        eventLoops,
        fastFront,
        idleTimeout,
        bridgeBaggage,
        trustForwarded,
        kafkaProperties,
        newTls,
        trustedRouters);
  }

  /** This configuration with other extra Kafka client properties (security: SASL, TLS). */
  public EdgeAgentConfig withKafkaProperties(Map<String, String> properties) {
    return new EdgeAgentConfig(
        workload,
        agentId,
        listenHost,
        listenPort,
        appHost,
        appPort,
        appHttp2,
        adminHost,
        adminPort,
        bootstrapServers,
        schemaRegistry,
        topicPrefix,
        routerConnectTimeout,
        breakerFailures,
        breakerOpenFor,
        heartbeatInterval,
        eventLoops,
        fastFront,
        idleTimeout,
        bridgeBaggage,
        trustForwarded,
        properties,
        routerTls,
        trustedRouters);
  }

  /** Why an agent without trusted router keys does not start. */
  public static final String NO_TRUSTED_KEYS =
      "no trusted router keys: pass --trusted-router-keys (SIDETRACK_TRUSTED_ROUTER_KEYS)"
          + " FILE[,FILE], the routers' PEM public keys (the .pub.pem of 'sidetrack keys"
          + " generate'); without them the agent would route to whatever a record names";

  /** This configuration trusting routes signed by {@code keys}. */
  public EdgeAgentConfig withTrustedRouters(TrustedKeys keys) {
    return new EdgeAgentConfig(
        workload,
        agentId,
        listenHost,
        listenPort,
        appHost,
        appPort,
        appHttp2,
        adminHost,
        adminPort,
        bootstrapServers,
        schemaRegistry,
        topicPrefix,
        routerConnectTimeout,
        breakerFailures,
        breakerOpenFor,
        heartbeatInterval,
        eventLoops,
        fastFront,
        idleTimeout,
        bridgeBaggage,
        trustForwarded,
        kafkaProperties,
        routerTls,
        keys);
  }
}
