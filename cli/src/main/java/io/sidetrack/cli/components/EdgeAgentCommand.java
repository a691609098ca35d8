package io.sidetrack.cli.components;

import io.sidetrack.edge.EdgeAgent;
import io.sidetrack.edge.EdgeAgentConfig;
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

  @Option(
      names = "--workload",
      required = true,
      defaultValue = "${env:SIDETRACK_WORKLOAD}",
      description = "The workload this agent fronts (env SIDETRACK_WORKLOAD).")
  String workload;

  @Option(
      names = "--listen",
      defaultValue = "${env:SIDETRACK_LISTEN:-0.0.0.0:8080}",
      description =
          "HOST:PORT taking the workload's traffic (env SIDETRACK_LISTEN; default ${DEFAULT-VALUE}).")
  String listen;

  @Option(
      names = "--app",
      defaultValue = "${env:SIDETRACK_APP:-127.0.0.1:8081}",
      description =
          "HOST:PORT of the workload's own app (env SIDETRACK_APP; default ${DEFAULT-VALUE}).")
  String app;

  @Option(
      names = "--app-http2",
      defaultValue = "${env:SIDETRACK_APP_HTTP2:-false}",
      description =
          "The app speaks HTTP/2 without TLS (h2c): HTTP/2 requests such as gRPC reach it over"
              + " HTTP/2; otherwise every request reaches it over HTTP/1.1 (env"
              + " SIDETRACK_APP_HTTP2; default ${DEFAULT-VALUE}).")
  boolean appHttp2;

  @Option(
      names = "--admin",
      defaultValue = "${env:SIDETRACK_ADMIN:-0.0.0.0:9901}",
      description =
          "HOST:PORT of /ready, /health and /metrics (env SIDETRACK_ADMIN; default ${DEFAULT-VALUE}).")
  String admin;

  @Option(
      names = "--agent-id",
      defaultValue = "${env:SIDETRACK_AGENT_ID}",
      description =
          "Id in sidetrack.agents (env SIDETRACK_AGENT_ID, e.g. the pod name; default WORKLOAD-random).")
  String agentId;

  @Mixin KafkaOptions kafka;

  @Mixin SchemaRegistryOptions schemaRegistry;

  @Option(
      names = "--topic-prefix",
      defaultValue = "${env:SIDETRACK_TOPIC_PREFIX:-}",
      description = "Put in front of every topic name (env SIDETRACK_TOPIC_PREFIX; default none).")
  String topicPrefix;

  @Option(
      names = "--router-connect-timeout",
      defaultValue = "${env:SIDETRACK_ROUTER_CONNECT_TIMEOUT:-1s}",
      description =
          "How long a router may take to accept a connection before the request falls back (env"
              + " SIDETRACK_ROUTER_CONNECT_TIMEOUT; default ${DEFAULT-VALUE}).")
  String routerConnectTimeout;

  @Option(
      names = "--breaker-failures",
      defaultValue = "${env:SIDETRACK_BREAKER_FAILURES:-5}",
      description =
          "Consecutive failures that open a router's circuit (env SIDETRACK_BREAKER_FAILURES;"
              + " default ${DEFAULT-VALUE}).")
  int breakerFailures;

  @Option(
      names = "--breaker-open-for",
      defaultValue = "${env:SIDETRACK_BREAKER_OPEN_FOR:-5s}",
      description =
          "How long an open circuit skips the router (env SIDETRACK_BREAKER_OPEN_FOR; default"
              + " ${DEFAULT-VALUE}).")
  String breakerOpenFor;

  @Option(
      names = "--heartbeat-interval",
      defaultValue = "${env:SIDETRACK_HEARTBEAT_INTERVAL:-2s}",
      description =
          "How often the agent reports the offset it applied (env SIDETRACK_HEARTBEAT_INTERVAL;"
              + " default ${DEFAULT-VALUE}).")
  String heartbeatInterval;

  @Option(
      names = "--event-loops",
      defaultValue = "${env:SIDETRACK_EVENT_LOOPS:-" + EdgeAgentConfig.DEFAULT_EVENT_LOOPS + "}",
      description =
          "Vert.x event loops; 0 = Vert.x's default, two per core (env SIDETRACK_EVENT_LOOPS;"
              + " default ${DEFAULT-VALUE}). JVM options: bin/edge-agent.jvm-options.")
  int eventLoops;

  @Option(
      names = "--fast-front",
      defaultValue = "${env:SIDETRACK_FAST_FRONT:-true}",
      arity = "1",
      description =
          "Relay plain HTTP/1.1 requests as bytes on the accepting event loop; false"
              + " sends every request through the full Vert.x proxy (env SIDETRACK_FAST_FRONT;"
              + " default ${DEFAULT-VALUE}).")
  boolean fastFront;

  @Option(
      names = "--idle-timeout",
      defaultValue = "${env:SIDETRACK_IDLE_TIMEOUT:-60s}",
      description =
          "How long the fast front keeps a client connection with no request under way; a"
              + " request head still coming in by then gets 408; a request under way is never"
              + " cut; 0s = no limit (env SIDETRACK_IDLE_TIMEOUT; default ${DEFAULT-VALUE}).")
  String idleTimeout;

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

  EdgeAgentConfig toConfig() throws java.io.IOException {
    HostPort l = HostPort.parse("--listen (SIDETRACK_LISTEN)", listen);
    HostPort a = HostPort.parse("--app (SIDETRACK_APP)", app);
    HostPort ad = HostPort.parse("--admin (SIDETRACK_ADMIN)", admin);
    String id =
        agentId == null || agentId.isBlank()
            ? workload + "-" + java.util.UUID.randomUUID().toString().substring(0, 8)
            : agentId;
    return new EdgeAgentConfig(
        workload,
        id,
        l.host(),
        l.port(),
        a.host().equals("0.0.0.0") ? "127.0.0.1" : a.host(),
        a.port(),
        appHttp2,
        ad.host(),
        ad.port(),
        kafka.bootstrapServers(),
        schemaRegistry.toConfig(),
        topicPrefix == null ? "" : topicPrefix,
        RegistryStreamCommand.duration("--router-connect-timeout", routerConnectTimeout),
        breakerFailures,
        RegistryStreamCommand.duration("--breaker-open-for", breakerOpenFor),
        RegistryStreamCommand.duration("--heartbeat-interval", heartbeatInterval),
        eventLoops,
        fastFront,
        RegistryStreamCommand.duration("--idle-timeout", idleTimeout),
        kafka.properties());
  }
}
