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
import java.util.concurrent.ConcurrentHashMap;

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

  /**
   * Each key's point, decoded and checked on first use (see {@link Ed25519Points}); verifying then
   * skips decoding the key.
   */
  private final Map<String, Ed25519Points.Point> points = new ConcurrentHashMap<>();

  private TrustedKeys(Map<String, PublicKey> byId) {
    this.byId = Map.copyOf(byId);
  }

  /** Checks that {@code key} is an Ed25519 key in the SPKI encoding of 44 bytes. */
  private static void checkShape(PublicKey key) {
    byte[] spki = key.getEncoded();
    if (!Keys.ALGORITHM.equalsIgnoreCase(key.getAlgorithm())
        && !"EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
      throw new IllegalArgumentException(
          "a trusted key must be Ed25519, got " + key.getAlgorithm());
    }
    if (spki == null || spki.length != SPKI_BYTES) {
      throw new IllegalArgumentException("not an Ed25519 public key (SPKI of " + SPKI_BYTES + ")");
    }
  }

  /**
   * The Ed25519 point of the key {@code id}, from the last 32 bytes of its SPKI encoding, decoded
   * now if not yet; {@code null} when it is not a valid point.
   */
  private Ed25519Points.Point point(String id) {
    Ed25519Points.Point p = points.get(id);
    if (p == null) {
      p =
          Ed25519Points.decode(
              byId.get(id).getEncoded(), SPKI_BYTES - Ed25519Points.PUBLIC_KEY_SIZE);
      if (p != null) {
        points.put(id, p);
      }
    }
    return p;
  }

  /**
   * Trusts the given keys (a key given twice counts once). Each must be an Ed25519 key; whether it
   * is a valid point is checked when it is first used, or by {@link #checked}.
   */
  public static TrustedKeys of(Collection<PublicKey> keys) {
    requireNonNull(keys, "keys");
    Map<String, PublicKey> byId = new LinkedHashMap<>();
    for (PublicKey k : keys) {
      checkShape(requireNonNull(k, "key"));
      byId.put(keyIdOf(k), k);
    }
    return new TrustedKeys(byId);
  }

  /**
   * These keys, each checked now to be a valid Ed25519 point: a service that can afford to load the
   * signature code at start fails there on a bad key instead of refusing its signatures later.
   *
   * @throws IllegalArgumentException naming the first key that is not a valid point
   */
  public TrustedKeys checked() {
    for (String id : byId.keySet()) {
      if (point(id) == null) {
        throw new IllegalArgumentException("not a valid Ed25519 public key: key " + id);
      }
    }
    return this;
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
    if (!byId.containsKey(signature.keyId())) {
      return Verification.refused(Verification.Refusal.UNKNOWN_KEY, signature.keyId());
    }
    Ed25519Points.Point key = point(signature.keyId());
    if (key == null) {
      // a trusted key that is no valid point (checked() would have said so) verifies nothing
      return Verification.refused(
          Verification.Refusal.BAD_SIGNATURE,
          signature.keyId() + " (the trusted key is not a valid Ed25519 public key)");
    }
    // RFC 8032 verification (BouncyCastle's, as the JDK's but cheaper); a malformed one is bad
    if (Ed25519Points.verify(signature.bytes(), key, statement.bytes())) {
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
