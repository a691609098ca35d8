package io.sidetrack.core.trust;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.Intercept;
import io.sidetrack.core.routing.Route;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The routers' public keys a registry-stream or an edge agent trusts, by key id. Several keys let a
 * key be rotated: trust the new one beside the old, move the routers, then drop the old one.
 * Thread-safe and immutable.
 */
public final class TrustedKeys {
  private static final int KEY_ID_BYTES = 8;

  /** An Ed25519 public key's X.509 SubjectPublicKeyInfo: a 12-byte header and the 32-byte key. */
  private static final int SPKI_BYTES = 44;

  private static final TrustedKeys NONE = new TrustedKeys(Map.of());

  private final Map<String, PublicKey> byId;

  /** Each key's point, decoded and checked once: verifying then skips decoding the key. */
  private final Map<String, Ed25519.PublicPoint> points;

  private TrustedKeys(Map<String, PublicKey> byId) {
    this.byId = Map.copyOf(byId);
    Map<String, Ed25519.PublicPoint> p = new LinkedHashMap<>();
    byId.forEach((id, key) -> p.put(id, point(key)));
    this.points = Map.copyOf(p);
  }

  /** The Ed25519 point of {@code key}, from the last 32 bytes of its SPKI encoding. */
  private static Ed25519.PublicPoint point(PublicKey key) {
    byte[] spki = key.getEncoded();
    if (!Keys.ALGORITHM.equalsIgnoreCase(key.getAlgorithm())
        && !"EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
      throw new IllegalArgumentException(
          "a trusted key must be Ed25519, got " + key.getAlgorithm());
    }
    if (spki == null || spki.length != SPKI_BYTES) {
      throw new IllegalArgumentException("not an Ed25519 public key (SPKI of " + SPKI_BYTES + ")");
    }
    Ed25519.PublicPoint point =
        Ed25519.validatePublicKeyFullExport(spki, SPKI_BYTES - Ed25519.PUBLIC_KEY_SIZE);
    if (point == null) {
      throw new IllegalArgumentException("not a valid Ed25519 public key");
    }
    return point;
  }

  /** Trusts the given keys (a key given twice counts once). */
  public static TrustedKeys of(Collection<PublicKey> keys) {
    requireNonNull(keys, "keys");
    Map<String, PublicKey> byId = new LinkedHashMap<>();
    for (PublicKey k : keys) {
      byId.put(keyIdOf(requireNonNull(k, "key")), k);
    }
    return new TrustedKeys(byId);
  }

  /** Trusts no key: everything is refused. */
  public static TrustedKeys none() {
    return NONE;
  }

  /** The id of a public key: the first 8 bytes of the SHA-256 of its SPKI encoding, in hex. */
  public static String keyIdOf(PublicKey key) {
    requireNonNull(key, "key");
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return HexFormat.of().formatHex(digest, 0, KEY_ID_BYTES);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** The ids of the trusted keys. */
  public Set<String> keyIds() {
    return byId.keySet();
  }

  /** Whether no key is trusted. */
  public boolean isEmpty() {
    return byId.isEmpty();
  }

  /** Whether {@code signature} is a trusted router's over {@code statement}. */
  public Verification verify(RouteStatement statement, RouteSignature signature) {
    requireNonNull(statement, "statement");
    requireNonNull(signature, "signature");
    if (!signature.isSigned()) {
      return Verification.refused(Verification.Refusal.UNSIGNED, "");
    }
    Ed25519.PublicPoint key = points.get(signature.keyId());
    if (key == null) {
      return Verification.refused(Verification.Refusal.UNKNOWN_KEY, signature.keyId());
    }
    byte[] sig = signature.bytes();
    byte[] message = statement.bytes();
    // RFC 8032 verification (BouncyCastle's, as the JDK's but cheaper); a malformed one is bad
    if (sig.length == Ed25519.SIGNATURE_SIZE
        && Ed25519.verify(sig, 0, key, message, 0, message.length)) {
      return Verification.trusted();
    }
    return Verification.refused(Verification.Refusal.BAD_SIGNATURE, signature.keyId());
  }

  /** Whether a registration carries a trusted router's signature over what it says. */
  public Verification verify(Intercept intercept) {
    requireNonNull(intercept, "intercept");
    return verify(RouteStatement.of(intercept), intercept.signature());
  }

  /** Whether a route carries a trusted router's signature over what it says. */
  public Verification verify(Route route) {
    requireNonNull(route, "route");
    return verify(RouteStatement.of(route), route.signature());
  }

  @Override
  public String toString() {
    return "TrustedKeys" + byId.keySet();
  }
}
