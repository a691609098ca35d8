package io.sidetrack.core.trust;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A router's Ed25519 signature over a {@link RouteStatement}, with the id of the key that made it;
 * {@link #NONE} on an unsigned registration or route.
 *
 * @param keyId the signing key's id ({@link TrustedKeys#keyIdOf}), empty when unsigned
 * @param bytes the signature, empty when unsigned
 */
public record RouteSignature(String keyId, byte[] bytes) {
  /** No signature: what records written before signing existed carry. */
  public static final RouteSignature NONE = new RouteSignature("", new byte[0]);

  public RouteSignature {
    requireNonNull(keyId, "keyId");
    bytes = requireNonNull(bytes, "bytes").clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Whether there is a signature at all. */
  public boolean isSigned() {
    return bytes.length > 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RouteSignature s && keyId.equals(s.keyId) && Arrays.equals(bytes, s.bytes);
  }

  @Override
  public int hashCode() {
    return 31 * keyId.hashCode() + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return isSigned()
        ? "RouteSignature[" + keyId + ":" + HexFormat.of().formatHex(bytes, 0, 4) + "...]"
        : "RouteSignature[none]";
  }
}
