package io.sidetrack.embedded;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * TLS of a secured embedded broker's client listener, which then speaks {@code SASL_SSL}: its
 * certificate chain and unencrypted PKCS#8 key (PEM), and the CA clients verify it by.
 *
 * @param certificateChain PEM certificate chain of the broker, valid for {@code 127.0.0.1}
 * @param privateKey PEM PKCS#8 private key of that certificate
 * @param ca PEM certificate of the CA that issued it
 */
public record BrokerTls(Path certificateChain, Path privateKey, Path ca) {
  public BrokerTls {
    requireNonNull(certificateChain, "certificateChain");
    requireNonNull(privateKey, "privateKey");
    requireNonNull(ca, "ca");
  }

  /** Kafka client settings that speak TLS to the broker and verify it by {@link #ca}. */
  public Map<String, String> clientProperties() {
    return Map.of(
        "security.protocol",
        "SASL_SSL",
        "ssl.truststore.type",
        "PEM",
        "ssl.truststore.location",
        ca.toString());
  }

  /** The broker's settings of its listener {@code listener} (lower case, e.g. sasl_ssl). */
  Map<String, String> brokerProperties(String listener) {
    String prefix = "listener.name." + listener + ".";
    return Map.of(
        prefix + "ssl.keystore.type", "PEM",
        prefix + "ssl.keystore.certificate.chain", read(certificateChain),
        prefix + "ssl.keystore.key", read(privateKey),
        // the broker's own inter-broker clients (e.g. transaction markers) verify it too
        prefix + "ssl.truststore.type", "PEM",
        prefix + "ssl.truststore.certificates", read(ca));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
