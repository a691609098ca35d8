package io.sidetrack.cli.components;

import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.cli.options.HostPort;
import io.sidetrack.cli.options.TopicOptions;
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
          + " '*'; '#' starts a comment. It is read again when it changes.",
      "With --oidc-issuer it also takes JWT bearer tokens of that OpenID Connect issuer"
          + " ('sidetrack login' gets one): signature by the issuer's keys, issuer, audience and"
          + " expiry are checked; the owner comes from --oidc-identity-claim, the workloads from"
          + " --oidc-workloads-claim and --oidc-group-workloads.",
      "With --preview-listen it also serves preview URLs, http://<code>.<--preview-domain>:<port>/,"
          + " for intercepts that ask for one ('sidetrack intercept --preview'): each request goes to"
          + " the workload's --preview-upstream with the intercept's header added.",
      "Every flag has an environment variable; flags win."
    })
public final class RouterCommand implements Callable<Integer> {
  public static final String NAME = "router";

  @EnvVar("SIDETRACK_ROUTER_LISTEN")
  @Option(
      names = "--listen",
      defaultValue = "0.0.0.0:8070",
      description = "HOST:PORT for developers' tunnels and the API.")
  HostPort listen;

  @EnvVar("SIDETRACK_ROUTER_RELAY")
  @Option(
      names = "--relay",
      defaultValue = "0.0.0.0:8071",
      description =
          "HOST:PORT where edge agents deliver matched requests; keep it inside the cluster.")
  HostPort relay;

  @EnvVar("SIDETRACK_ROUTER_ADVERTISE")
  @Option(
      names = "--advertise",
      description =
          "HOST:PORT agents reach the relay at, written into each route (e.g. the pod's DNS"
              + " name; default the relay address, with this host's name for 0.0.0.0).")
  String advertise;

  @EnvVar("SIDETRACK_ROUTER_TOKENS")
  @Option(
      names = "--tokens",
      description =
          "The tokens file (required unless --oidc-issuer is given; both may be: a JWT goes to"
              + " OIDC, any other token to the file).")
  Path tokens;

  @EnvVar
  @Option(
      names = "--agent-timeout",
      defaultValue = "10s",
      description = "An agent silent for longer is not live, and activation does not wait for it.")
  java.time.Duration agentTimeout;

  @EnvVar
  @Option(
      names = "--preview-listen",
      description =
          "HOST:PORT of the preview listener, which browsers reach preview URLs at (default none:"
              + " no preview URLs).")
  HostPort previewListen;

  @EnvVar
  @Option(
      names = "--preview-domain",
      defaultValue = RouterConfig.Preview.DEFAULT_DOMAIN,
      description =
          "A preview's host is <code>.DOMAIN; a wildcard DNS name *.DOMAIN must lead to"
              + " --preview-listen (default ${DEFAULT-VALUE}, which browsers and curl resolve to"
              + " loopback).")
  String previewDomain;

  @EnvVar
  @Option(
      names = "--preview-upstream",
      split = ",",
      paramLabel = "WORKLOAD=URL",
      description =
          "Where a workload's previews go: its entry point, e.g. its edge agent,"
              + " http://HOST:PORT. Repeatable (or comma-separated); a workload without one gets no"
              + " preview URL.")
  java.util.List<String> previewUpstreams;

  @Mixin KafkaOptions kafka;

  @Mixin SchemaRegistryOptions schemaRegistry;

  @Mixin TopicOptions topics;

  @Mixin IdentityOptions identity;
  @Mixin TlsOptions tls;
  @Mixin SigningOptions signing;

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
    java.util.List<String> upstreams =
        previewUpstreams == null ? java.util.List.of() : previewUpstreams;
    if (previewListen == null && !upstreams.isEmpty()) {
      throw new IllegalArgumentException(
          "--preview-upstream (SIDETRACK_PREVIEW_UPSTREAM) needs --preview-listen"
              + " (SIDETRACK_PREVIEW_LISTEN)");
    }
    RouterConfig.Preview preview =
        previewListen == null
            ? null
            : new RouterConfig.Preview(
                previewListen.host(),
                previewListen.port(),
                previewDomain,
                RouterConfig.Preview.upstreams(upstreams));
    return new RouterConfig(
        listen.host(),
        listen.port(),
        relay.host(),
        relay.port(),
        advertise == null || advertise.isBlank() ? null : advertise,
        kafka.bootstrapServers(),
        schemaRegistry.toConfig(),
        topics.prefix(),
        tokens,
        agentTimeout,
        kafka.properties(),
        preview,
        identity.toConfig(),
        tls.toConfig(),
        signing.signing());
  }
}
