package io.sidetrack.core.trust;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.Intercept;
import io.sidetrack.core.routing.Route;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The routers' public keys a registry-stream or an edge agent trusts, by key id. Several keys let a
 * key be rotated: trust the new one beside the old, move the routers, then drop the old one.
 * Thread-safe and immutable.
 */
public final class TrustedKeys {
  private static final int KEY_ID_BYTES = 8;
  private static final TrustedKeys NONE = new TrustedKeys(Map.of());

  private final Map<String, PublicKey> byId;

  private TrustedKeys(Map<String, PublicKey> byId) {
    this.byId = Map.copyOf(byId);
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
    PublicKey key = byId.get(signature.keyId());
    if (key == null) {
      return Verification.refused(Verification.Refusal.UNKNOWN_KEY, signature.keyId());
    }
    try {
      Signature s = Signature.getInstance(Keys.ALGORITHM);
      s.initVerify(key);
      s.update(statement.bytes());
      if (s.verify(signature.bytes())) {
        return Verification.trusted();
      }
    } catch (GeneralSecurityException e) {
      // a malformed signature is a bad one
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
