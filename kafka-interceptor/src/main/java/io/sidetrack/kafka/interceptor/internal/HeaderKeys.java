package io.sidetrack.kafka.interceptor.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Compares a record header's key with a name without decoding the key when it can. A consumer's
 * fetch makes each header over the fetched bytes, and {@link Header#key()} decodes the key into a
 * new string under a lock the first time it is asked for: about as much as the rest of the
 * interceptor's work on a record no intercept claims. So where Kafka's {@link RecordHeader} still
 * holds its key as bytes, they are compared as they are; any other header, a key already decoded, a
 * key with non-ASCII bytes, or a Kafka whose {@code RecordHeader} has no such field, is compared
 * through {@link Header#key()}, so the answer is always that of {@code key().equalsIgnoreCase}.
 */
final class HeaderKeys {
  /** {@code RecordHeader.keyBuffer}, or {@code null} when this Kafka has no such field. */
  private static final VarHandle KEY_BUFFER = keyBuffer();

  private HeaderKeys() {}

  private static VarHandle keyBuffer() {
    try {
      return MethodHandles.privateLookupIn(RecordHeader.class, MethodHandles.lookup())
          .findVarHandle(RecordHeader.class, "keyBuffer", ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** Whether {@code header}'s key is {@code lowerCaseName} (lower-case), ignoring case. */
  static boolean is(Header header, String lowerCaseName) {
    ByteBuffer raw = undecoded(header);
    if (raw == null) {
      return header.key().equalsIgnoreCase(lowerCaseName);
    }
    int at = raw.position();
    int length = raw.remaining();
    for (int i = 0; i < length; i++) {
      if (raw.get(at + i) < 0) {
        // non-ASCII: Unicode case folding may still make it equal (e.g. the Kelvin sign and 'k')
        return header.key().equalsIgnoreCase(lowerCaseName);
      }
    }
    if (length != lowerCaseName.length()) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char n = lowerCaseName.charAt(i);
      if (n >= 0x80) {
        // a non-ASCII name: as above, leave the folding to equalsIgnoreCase
        return header.key().equalsIgnoreCase(lowerCaseName);
      }
      int b = raw.get(at + i);
      if (b >= 'A' && b <= 'Z') {
        b += 'a' - 'A';
      }
      if (b != n) {
        return false;
      }
    }
    return true;
  }

  /** The key's bytes while {@code header} is a {@link RecordHeader} that did not decode it yet. */
  static ByteBuffer undecoded(Header header) {
    if (KEY_BUFFER == null || header.getClass() != RecordHeader.class) {
      return null;
    }
    return (ByteBuffer) KEY_BUFFER.getAcquire((RecordHeader) header);
  }
}
