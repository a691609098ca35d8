package io.sidetrack.cli.components;

import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.router.RouterConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The router's certificates: https/wss for developers, TLS (optionally mutual) on the relay. */
public final class TlsOptions {
  @EnvVar
  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description =
          "PEM certificate chain of --listen: with --tls-key, developers' CLIs connect over https"
              + " and wss (default none: plain http). Read again every 5 s; a changed pair that"
              + " checks out serves new connections, a bad one is logged and the old kept.")
  Path tlsCert;

  @EnvVar
  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "PEM private key of --tls-cert (PKCS#8 or PKCS#1).")
  Path tlsKey;

  @EnvVar
  @Option(
      names = "--relay-tls-cert",
      paramLabel = "FILE",
      description =
          "PEM certificate chain of --relay: with --relay-tls-key, edge agents connect over TLS"
              + " (give them --router-ca). Reloaded like --tls-cert.")
  Path relayTlsCert;

  @EnvVar
  @Option(names = "--relay-tls-key", description = "PEM private key of --relay-tls-cert.")
  Path relayTlsKey;

  @EnvVar
  @Option(
      names = "--relay-client-ca",
      paramLabel = "FILE",
      description =
          "PEM CA certificate(s): the relay requires mutual TLS, and only agents presenting a"
              + " certificate it signed may connect (default none: no client certificate asked"
              + " for). Needs --relay-tls-cert.")
  Path relayClientCa;

  /**
   * The listeners' TLS settings.
   *
   * @throws IllegalArgumentException one line naming the missing half of a pair
   */
  public RouterConfig.Tls toConfig() {
    return new RouterConfig.Tls(
        RouterConfig.KeyPair.of(
            tlsCert, "--tls-cert (SIDETRACK_TLS_CERT)", tlsKey, "--tls-key (SIDETRACK_TLS_KEY)"),
        RouterConfig.KeyPair.of(
            relayTlsCert,
            "--relay-tls-cert (SIDETRACK_RELAY_TLS_CERT)",
            relayTlsKey,
            "--relay-tls-key (SIDETRACK_RELAY_TLS_KEY)"),
        relayClientCa);
  }
}
