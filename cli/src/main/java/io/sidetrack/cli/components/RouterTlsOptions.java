package io.sidetrack.cli.components;

import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.edge.EdgeAgentConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How an edge agent connects to routers' relay ports: plain, TLS, or mutual TLS. */
public final class RouterTlsOptions {
  @EnvVar
  @Option(
      names = "--router-ca",
      paramLabel = "FILE",
      description =
          "PEM CA certificate(s) of routers' relay certificates: with it the agent connects to"
              + " every router over TLS and accepts only a certificate this CA signed for the"
              + " route's router host (default none: plain TCP). A router it cannot verify gets no"
              + " request: the request goes to the app.")
  Path routerCa;

  @EnvVar
  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description =
          "PEM client certificate the agent presents to routers whose relay requires mutual TLS"
              + " (--relay-client-ca). Needs --tls-key and --router-ca.")
  Path tlsCert;

  @EnvVar
  @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key of --tls-cert.")
  Path tlsKey;

  /**
   * The agent's TLS to routers.
   *
   * @throws IllegalArgumentException one line naming what is missing
   */
  public EdgeAgentConfig.RouterTls toConfig() {
    return new EdgeAgentConfig.RouterTls(routerCa, tlsCert, tlsKey);
  }
}
