package io.sidetrack.cli.components;

import io.sidetrack.router.Router;
import io.sidetrack.router.RouterConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sidetrack router}: the tunnel router. */
@Command(
    name = RouterCommand.NAME,
    mixinStandardHelpOptions = true,
    description = {
      "Run a tunnel router: developers' CLIs connect to --listen with a bearer token and open a"
          + " tunnel; the router registers their intercepts (owner from the token, target"
          + " itself), renews the leases while the tunnels live, and relays the requests edge"
          + " agents deliver on --relay through the tunnels.",
      "Several routers may run; an agent that reaches one without the tunnel gets 'no tunnel'"
          + " and sends the request to the app.",
      "Tokens file: one 'TOKEN IDENTITY WORKLOADS' per line, WORKLOADS a comma-separated list or"
          + " '*'; '#' starts a comment.",
      "Every flag has an environment variable; flags win."
    })
public final class RouterCommand implements Callable<Integer> {
  public static final String NAME = "router";

  @Option(
      names = "--listen",
      defaultValue = "${env:SIDETRACK_ROUTER_LISTEN:-0.0.0.0:8070}",
      description =
          "HOST:PORT for developers' tunnels and the API (env SIDETRACK_ROUTER_LISTEN; default"
              + " ${DEFAULT-VALUE}).")
  String listen;

  @Option(
      names = "--relay",
      defaultValue = "${env:SIDETRACK_ROUTER_RELAY:-0.0.0.0:8071}",
      description =
          "HOST:PORT where edge agents deliver matched requests; keep it inside the cluster (env"
              + " SIDETRACK_ROUTER_RELAY; default ${DEFAULT-VALUE}).")
  String relay;

  @Option(
      names = "--advertise",
      defaultValue = "${env:SIDETRACK_ROUTER_ADVERTISE}",
      description =
          "HOST:PORT agents reach the relay at, written into each route (env"
              + " SIDETRACK_ROUTER_ADVERTISE, e.g. the pod's DNS name; default the relay address,"
              + " with this host's name for 0.0.0.0).")
  String advertise;

  @Option(
      names = "--tokens",
      required = true,
      defaultValue = "${env:SIDETRACK_ROUTER_TOKENS}",
      description = "The tokens file (env SIDETRACK_ROUTER_TOKENS).")
  Path tokens;

  @Option(
      names = "--agent-timeout",
      defaultValue = "${env:SIDETRACK_AGENT_TIMEOUT:-10s}",
      description =
          "An agent silent for longer is not live, and activation does not wait for it (env"
              + " SIDETRACK_AGENT_TIMEOUT; default ${DEFAULT-VALUE}).")
  String agentTimeout;

  @Mixin KafkaOptions kafka;

  @Mixin SchemaRegistryOptions schemaRegistry;

  @Option(
      names = "--topic-prefix",
      defaultValue = "${env:SIDETRACK_TOPIC_PREFIX:-}",
      description = "Put in front of every topic name (env SIDETRACK_TOPIC_PREFIX; default none).")
  String topicPrefix;

  @Override
  public Integer call() throws Exception {
    Router router = Router.start(toConfig());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  router.close();
                  stopped.countDown();
                },
                "stop-router"));
    stopped.await();
    return 0;
  }

  RouterConfig toConfig() throws java.io.IOException {
    HostPort l = HostPort.parse("--listen (SIDETRACK_ROUTER_LISTEN)", listen);
    HostPort r = HostPort.parse("--relay (SIDETRACK_ROUTER_RELAY)", relay);
    return new RouterConfig(
        l.host(),
        l.port(),
        r.host(),
        r.port(),
        advertise == null || advertise.isBlank() ? null : advertise,
        kafka.bootstrapServers(),
        schemaRegistry.toConfig(),
        topicPrefix == null ? "" : topicPrefix,
        tokens,
        RegistryStreamCommand.duration("--agent-timeout", agentTimeout),
        kafka.properties());
  }
}
