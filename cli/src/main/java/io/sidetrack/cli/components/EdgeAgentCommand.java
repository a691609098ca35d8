package io.sidetrack.cli.components;

import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.cli.options.HostPort;
import io.sidetrack.cli.options.TopicOptions;
import io.sidetrack.core.http.ForwardedTrust;
import io.sidetrack.edge.EdgeAgent;
import io.sidetrack.edge.EdgeAgentConfig;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sidetrack edge-agent}: the reverse proxy beside one pod of a workload. */
@Command(
    name = EdgeAgentCommand.NAME,
    mixinStandardHelpOptions = true,
    description = {
      "Run an edge agent: takes the workload's traffic on --listen, sends requests that match an"
          + " active intercept to its router (the developer's tunnel) and the rest to --app.",
      "It reads only the workload's partition of sidetrack.routes; no request waits on Kafka.",
      "Every flag has an environment variable; flags win."
    })
public final class EdgeAgentCommand implements Callable<Integer> {
  public static final String NAME = "edge-agent";

  @EnvVar
  @Option(names = "--workload", required = true, description = "The workload this agent fronts.")
  String workload;

  @EnvVar
  @Option(
      names = "--listen",
      defaultValue = "0.0.0.0:8080",
      description = "HOST:PORT taking the workload's traffic.")
  HostPort listen;

  @EnvVar
  @Option(
      names = "--app",
      defaultValue = "127.0.0.1:8081",
      description = "HOST:PORT of the workload's own app.")
  HostPort app;

  @EnvVar
  @Option(
      names = "--app-http2",
      defaultValue = "false",
      description =
          "The app speaks HTTP/2 without TLS (h2c): HTTP/2 requests such as gRPC reach it"
              + " over HTTP/2; otherwise every request reaches it over HTTP/1.1.")
  boolean appHttp2;

  @EnvVar
  @Option(
      names = "--admin",
      defaultValue = "0.0.0.0:9901",
      description = "HOST:PORT of /ready, /health and /metrics.")
  HostPort admin;

  @EnvVar
  @Option(
      names = "--agent-id",
      description = "Id in sidetrack.agents (e.g. the pod name; default WORKLOAD-random).")
  String agentId;

  @Mixin KafkaOptions kafka;

  @Mixin SchemaRegistryOptions schemaRegistry;

  @Mixin TopicOptions topics;

  @Mixin RouterTlsOptions routerTls;
  @Mixin TrustedRouterKeysOptions trustedRouters;

  @EnvVar
  @Option(
      names = "--router-connect-timeout",
      defaultValue = "1s",
      description =
          "How long a router may take to accept a connection before the request falls back.")
  Duration routerConnectTimeout;

  @EnvVar
  @Option(
      names = "--breaker-failures",
      defaultValue = "5",
      description = "Consecutive failures that open a router's circuit.")
  int breakerFailures;

  @EnvVar
  @Option(
      names = "--breaker-open-for",
      defaultValue = "5s",
      description = "How long an open circuit skips the router.")
  Duration breakerOpenFor;

  @EnvVar
  @Option(
      names = "--heartbeat-interval",
      defaultValue = "2s",
      description = "How often the agent reports the offset it applied.")
  Duration heartbeatInterval;

  @EnvVar
  @Option(
      names = "--event-loops",
      defaultValue = "" + EdgeAgentConfig.DEFAULT_EVENT_LOOPS,
      description =
          "Vert.x event loops; 0 = Vert.x's default, two per core. JVM options:"
              + " bin/edge-agent.jvm-options.")
  int eventLoops;

  @EnvVar
  @Option(
      names = "--fast-front",
      defaultValue = "true",
      arity = "1",
      description =
          "Relay plain HTTP/1.1 requests as bytes on the accepting event loop; false sends"
              + " every request through the full Vert.x proxy.")
  boolean fastFront;

  @EnvVar
  @Option(
      names = "--idle-timeout",
      defaultValue = "60s",
      description =
          "How long the fast front keeps a client connection with no request under way; a"
              + " request head still coming in by then gets 408; a request under way is never cut;"
              + " 0s = no limit.")
  Duration idleTimeout;

  @EnvVar
  @Option(
      names = "--bridge-baggage",
      defaultValue = "" + EdgeAgentConfig.DEFAULT_BRIDGE_BAGGAGE,
      arity = "1",
      description =
          "Add the W3C baggage member sidetrack-id=<id> to a request that carries x-sidetrack-id"
              + " (id: its value) or goes to an intercept's router (id: the intercept's own value"
              + " or its owner), unless it has one, so an app running the OpenTelemetry agent"
              + " carries the id downstream; false leaves baggage as it came.")
  boolean bridgeBaggage;

  @EnvVar
  @Option(
      names = "--trust-forwarded",
      defaultValue = ForwardedTrust.DEFAULT,
      paramLabel = "WHO",
      description =
          "Whose X-Forwarded-For/Host/Proto and Forwarded fields go on to the app, with the"
              + " client appended: 'private' (loopback, link-local and private networks, where an"
              + " ingress or load balancer lives), 'all', 'none', or a comma-separated list of"
              + " addresses and CIDR blocks (may include 'private'). Any other client's fields are"
              + " replaced by what the agent saw, so it cannot claim another address or scheme.")
  String trustForwarded;

  @Override
  public Integer call() throws Exception {
    EdgeAgent agent = EdgeAgent.start(toConfig());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  agent.close();
                  stopped.countDown();
                },
                "stop-edge-agent"));
    stopped.await();
    return 0;
  }

  private ForwardedTrust forwardedTrust() {
    try {
      return ForwardedTrust.parse(trustForwarded);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid --trust-forwarded (SIDETRACK_TRUST_FORWARDED): " + e.getMessage());
    }
  }

  EdgeAgentConfig toConfig() throws java.io.IOException {
    String id =
        agentId == null || agentId.isBlank()
            ? workload + "-" + java.util.UUID.randomUUID().toString().substring(0, 8)
            : agentId;
    return new EdgeAgentConfig(
        workload,
        id,
        listen.host(),
        listen.port(),
        app.connectHost(),
        app.port(),
        appHttp2,
        admin.host(),
        admin.port(),
        kafka.bootstrapServers(),
        schemaRegistry.toConfig(),
        topics.prefix(),
        routerConnectTimeout,
        breakerFailures,
        breakerOpenFor,
        heartbeatInterval,
        eventLoops,
        fastFront,
        idleTimeout,
        bridgeBaggage,
        forwardedTrust(),
        kafka.properties(),
        routerTls.toConfig(),
        trustedRouters.trustedCheckedOnUse().orElse(io.sidetrack.core.trust.TrustedKeys.none()));
  }
}
