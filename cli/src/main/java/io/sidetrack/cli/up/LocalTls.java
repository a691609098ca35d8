package io.sidetrack.cli.up;

import static java.util.Objects.requireNonNull;

import io.sidetrack.edge.EdgeAgentConfig;
import io.sidetrack.embedded.BrokerTls;
import io.sidetrack.router.RouterConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The certificates {@code sidetrack up --secure} runs the local stack on, made fresh in {@code
 * $SIDETRACK_HOME/tls} by a new local CA: the router's developer listener (https/wss), its relay
 * (TLS, requiring agents' client certificates), the agents' client certificate, and the Kafka
 * broker's listener (SASL_SSL). The CLI trusts the CA through the context.
 *
 * @param ca the CA certificate (PEM)
 * @param listener the developer listener's pair
 * @param relay the relay's pair
 * @param agent the agents' client pair
 * @param kafka the Kafka broker's pair
 */
public record LocalTls(
    Path ca,
    LocalCertificates.Issued listener,
    LocalCertificates.Issued relay,
    LocalCertificates.Issued agent,
    LocalCertificates.Issued kafka) {

  /** Names the certificates are valid for: this machine's loopback. */
  static final List<String> HOSTS = List.of("localhost", "127.0.0.1");

  public LocalTls {
    requireNonNull(ca, "ca");
    requireNonNull(listener, "listener");
    requireNonNull(relay, "relay");
    requireNonNull(agent, "agent");
    requireNonNull(kafka, "kafka");
  }

  /** A new CA and its certificates in {@code dir} (replacing any made before). */
  public static LocalTls create(Path dir) throws IOException {
    LocalCertificates ca = LocalCertificates.newCa("Sidetrack local CA");
    return new LocalTls(
        ca.writeCa(dir.resolve("ca.crt")),
        ca.issueServer(dir, "router", HOSTS),
        ca.issueServer(dir, "relay", HOSTS),
        ca.issueClient(dir, "agent", "sidetrack-edge-agent"),
        ca.issueServer(dir, "kafka", HOSTS));
  }

  /** The router on https/wss, its relay on mutual TLS with agents this CA certified. */
  public RouterConfig.Tls routerTls() {
    return new RouterConfig.Tls(
        new RouterConfig.KeyPair(listener.cert(), listener.key()),
        new RouterConfig.KeyPair(relay.cert(), relay.key()),
        ca);
  }

  /** The Kafka broker's client listener on TLS, verified by this CA. */
  public BrokerTls kafkaTls() {
    return new BrokerTls(kafka.cert(), kafka.key(), ca);
  }

  /** An agent verifying routers by this CA and presenting its client certificate. */
  public EdgeAgentConfig.RouterTls agentTls() {
    return new EdgeAgentConfig.RouterTls(ca, agent.cert(), agent.key());
  }
}
