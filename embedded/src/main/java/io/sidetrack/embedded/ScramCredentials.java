package io.sidetrack.embedded;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/**
 * A SCRAM-SHA-512 user of a Kafka cluster, and the client settings that log in as it over {@code
 * SASL_PLAINTEXT}.
 *
 * @param user the SCRAM user name (the principal is {@code User:<user>})
 * @param password its password
 */
public record ScramCredentials(String user, String password) {
  /** The one SASL mechanism the embedded broker's client listener offers. */
  public static final String MECHANISM = "SCRAM-SHA-512";

  public ScramCredentials {
    requireNonNull(user, "user");
    requireNonNull(password, "password");
    if (!user.matches("[A-Za-z0-9._@-]{1,200}")) {
      throw new IllegalArgumentException(
          "invalid SCRAM user '" + user + "': letters, digits, '.', '_', '@' or '-'");
    }
    if (password.isEmpty() || password.contains("\"") || password.contains("\\")) {
      throw new IllegalArgumentException(
          "invalid SCRAM password of " + user + ": empty, or with a quote or backslash");
    }
  }

  /** A user with a random 32-hex-digit password. */
  public static ScramCredentials random(String user) {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return new ScramCredentials(user, HexFormat.of().formatHex(bytes));
  }

  /** The principal Kafka's authorizer sees for this user. */
  public String principal() {
    return "User:" + user;
  }

  /** Kafka client settings that authenticate as this user over {@code SASL_PLAINTEXT}. */
  public Map<String, String> clientProperties() {
    return Map.of(
        "security.protocol",
        "SASL_PLAINTEXT",
        "sasl.mechanism",
        MECHANISM,
        "sasl.jaas.config",
        jaasConfig());
  }

  /** The JAAS line of a SCRAM client login. */
  String jaasConfig() {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }

  /** Without the password. */
  @Override
  public String toString() {
    return "ScramCredentials[user=" + user + "]";
  }
}
