package io.sidetrack.kafka.interceptor.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Compares a record header's key with names without decoding the key when it can. A consumer's
 * fetch makes each header over the fetched bytes, and {@link Header#key()} decodes the key into a
 * new string under a lock the first time it is asked for: about as much as the rest of the
 * interceptor's work on a record no intercept claims. So where Kafka's {@link RecordHeader} still
 * holds its key as bytes, they are compared as they are; any other header, a key already decoded, a
 * key or name with non-ASCII characters, or a Kafka whose {@code RecordHeader} has no such field,
 * is compared through {@link Header#key()}, so the answer is always that of {@code
 * key().equalsIgnoreCase}.
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
    return indexOf(header, new String[] {lowerCaseName}) == 0;
  }

  /**
   * The index of the first of {@code lowerCaseNames} (lower-case) that {@code header}'s key is,
   * ignoring case, or -1.
   */
  static int indexOf(Header header, String[] lowerCaseNames) {
    ByteBuffer raw = undecoded(header);
    if (raw == null || !ascii(raw)) {
      // non-ASCII: Unicode case folding may make keys of other lengths equal (the Kelvin sign
      // and 'k'), which equalsIgnoreCase knows
      return decodedIndexOf(header.key(), lowerCaseNames);
    }
    int length = raw.remaining();
    for (int n = 0; n < lowerCaseNames.length; n++) {
      String name = lowerCaseNames[n];
      if (name.length() != length) {
        continue;
      }
      int answer = asciiEquals(raw, name);
      if (answer > 0) {
        return n;
      }
      if (answer < 0) {
        // a non-ASCII name: leave the folding to equalsIgnoreCase
        return decodedIndexOf(header.key(), lowerCaseNames);
      }
    }
    return -1;
  }

  private static int decodedIndexOf(String key, String[] lowerCaseNames) {
    for (int n = 0; n < lowerCaseNames.length; n++) {
      if (key.equalsIgnoreCase(lowerCaseNames[n])) {
        return n;
      }
    }
    return -1;
  }

  /** Whether every byte of {@code raw} (from its position) is ASCII. */
  private static boolean ascii(ByteBuffer raw) {
    int at = raw.position();
    int length = raw.remaining();
    if (raw.hasArray()) {
      byte[] a = raw.array();
      int from = raw.arrayOffset() + at;
      for (int i = from; i < from + length; i++) {
        if (a[i] < 0) {
          return false;
        }
      }
      return true;
    }
    for (int i = 0; i < length; i++) {
      if (raw.get(at + i) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * 1 when the ASCII bytes of {@code raw} are {@code name} of the same length ignoring ASCII case,
   * 0 when not, -1 when {@code name} has a non-ASCII character before a difference.
   */
  private static int asciiEquals(ByteBuffer raw, String name) {
    int at = raw.position();
    for (int i = 0; i < name.length(); i++) {
      char n = name.charAt(i);
      if (n >= 0x80) {
        return -1;
      }
      int b = raw.get(at + i);
      if (b >= 'A' && b <= 'Z') {
        b += 'a' - 'A';
      }
      if (b != n) {
        return 0;
      }
    }
    return 1;
  }

  /** The key's bytes while {@code header} is a {@link RecordHeader} that did not decode it yet. */
  static ByteBuffer undecoded(Header header) {
    if (KEY_BUFFER == null || header.getClass() != RecordHeader.class) {
      return null;
    }
    return (ByteBuffer) KEY_BUFFER.getAcquire((RecordHeader) header);
  }
}
