package io.sidetrack.core.trust;

import io.sidetrack.thirdparty.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The one place BouncyCastle's RFC 8032 code is used: a key's point decoded once, and signatures
 * checked against it (about 8x less CPU per signature than the JDK's). The code comes from {@code
 * third-party/bcprov}: BouncyCastle's classes moved to a package of their own in an unsigned jar
 * (the JVM checks a signed jar's 800 KB manifest and signature when it loads its first class, and
 * hashes each class it loads from it: CPU a new edge agent spent while reading its routes). {@link
 * TrustedKeys} loads this class only when it first needs a point.
 */
final class Ed25519Points {
  static final int PUBLIC_KEY_SIZE = Ed25519.PUBLIC_KEY_SIZE;

  /** A decoded public key. */
  record Point(Ed25519.PublicPoint point) {}

  private Ed25519Points() {}

  /**
   * The point of the 32-byte public key at {@code offset} of {@code encoded}, or {@code null} when
   * it is not a valid Ed25519 public key.
   */
  static Point decode(byte[] encoded, int offset) {
    Ed25519.PublicPoint p = Ed25519.validatePublicKeyFullExport(encoded, offset);
    return p == null ? null : new Point(p);
  }

  /** Whether {@code sig} is a valid signature of {@code message} by {@code key}. */
  static boolean verify(byte[] sig, Point key, byte[] message) {
    return sig.length == Ed25519.SIGNATURE_SIZE
        && Ed25519.verify(sig, 0, key.point(), message, 0, message.length);
  }
}
