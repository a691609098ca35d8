package io.sidetrack.core.trust;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.Intercept;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/**
 * Signs what registrations say with a router's Ed25519 key. Thread-safe: each signature uses its
 * own {@link Signature} instance.
 */
public final class RouteSigner {
  private final PrivateKey key;
  private final String keyId;

  /** A signer with {@code pair}'s private key, its id derived from the public key. */
  public RouteSigner(KeyPair pair) {
    requireNonNull(pair, "pair");
    this.key = requireNonNull(pair.getPrivate(), "private key");
    this.keyId = TrustedKeys.keyIdOf(requireNonNull(pair.getPublic(), "public key"));
    if (!Keys.ALGORITHM.equalsIgnoreCase(key.getAlgorithm())
        && !"EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
      throw new IllegalArgumentException(
          "the signing key must be Ed25519, got " + key.getAlgorithm());
    }
  }

  /** A signer from a private key alone: its public key is derived from it. */
  public static RouteSigner of(PrivateKey key) {
    requireNonNull(key, "key");
    PublicKey pub = Keys.publicKeyOf(key);
    return new RouteSigner(new KeyPair(pub, key));
  }

  /** The id of the key it signs with. */
  public String keyId() {
    return keyId;
  }

  /** The signature of {@code statement}. */
  public RouteSignature sign(RouteStatement statement) {
    requireNonNull(statement, "statement");
    try {
      Signature s = Signature.getInstance(Keys.ALGORITHM);
      s.initSign(key);
      s.update(statement.bytes());
      return new RouteSignature(keyId, s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
    }
  }

  /** {@code intercept} carrying the signature of what it says. */
  public Intercept sign(Intercept intercept) {
    return intercept.withSignature(sign(RouteStatement.of(intercept)));
  }
}
