package io.sidetrack.kafka.interceptor.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Reads a fetched record's headers without copying them out when it can. A consumer's fetch makes
 * each header over the fetched bytes, and {@link Header#key()} and {@link Header#value()} copy the
 * key into a new string and the value into a new array, each under a lock, the first time they are
 * asked for: about as much as the rest of the interceptor's work on a record no intercept claims.
 * So where Kafka's {@link RecordHeader} still holds them as bytes, they are read as they are; any
 * other header, one already copied, a key or name with non-ASCII characters, or a Kafka whose
 * {@code RecordHeader} has no such fields, is read through {@link Header#key()} and {@link
 * Header#value()}, so the answers are always theirs.
 */
final class FetchedHeaders {
  /** {@code RecordHeader.keyBuffer}, or {@code null} when this Kafka has no such field. */
  private static final VarHandle KEY_BUFFER = field("keyBuffer");

  /** {@code RecordHeader.valueBuffer}, or {@code null} when this Kafka has no such field. */
  private static final VarHandle VALUE_BUFFER = field("valueBuffer");

  private FetchedHeaders() {}

  private static VarHandle field(String name) {
    try {
      return MethodHandles.privateLookupIn(RecordHeader.class, MethodHandles.lookup())
          .findVarHandle(RecordHeader.class, name, ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /**
   * {@code header}'s value decoded as UTF-8, or {@code null} when it has none: {@code new
   * String(header.value(), UTF_8)}, made straight from the fetched bytes when it can.
   */
  static String valueAsString(Header header) {
    if (VALUE_BUFFER != null && header.getClass() == RecordHeader.class) {
      ByteBuffer raw = (ByteBuffer) VALUE_BUFFER.getAcquire((RecordHeader) header);
      if (raw != null && raw.hasArray()) {
        return new String(
            raw.array(),
            raw.arrayOffset() + raw.position(),
            raw.remaining(),
            StandardCharsets.UTF_8);
      }
    }
    byte[] v = header.value();
    return v == null ? null : new String(v, StandardCharsets.UTF_8);
  }

  /** Whether {@code header}'s key is {@code lowerCaseName} (lower-case), ignoring case. */
  static boolean is(Header header, String lowerCaseName) {
    ByteBuffer raw = undecoded(header);
    if (raw == null) {
      return header.key().equalsIgnoreCase(lowerCaseName);
    }
    int answer = compare(raw, lowerCaseName);
    return answer == UNSURE ? header.key().equalsIgnoreCase(lowerCaseName) : answer == EQUAL;
  }

  /**
   * The index of the first of {@code lowerCaseNames} (lower-case) that {@code header}'s key is,
   * ignoring case, or -1.
   */
  static int indexOf(Header header, String[] lowerCaseNames) {
    ByteBuffer raw = undecoded(header);
    for (int n = 0; n < lowerCaseNames.length; n++) {
      String name = lowerCaseNames[n];
      int answer = raw == null ? UNSURE : compare(raw, name);
      if (answer == UNSURE) {
        answer = header.key().equalsIgnoreCase(name) ? EQUAL : DIFFERENT;
      }
      if (answer == EQUAL) {
        return n;
      }
    }
    return -1;
  }

  private static final int DIFFERENT = 0;
  private static final int EQUAL = 1;

  /** Only {@code equalsIgnoreCase} can tell: non-ASCII characters, which Unicode may fold. */
  private static final int UNSURE = 2;

  /**
   * Whether the UTF-8 key in {@code raw} (from its position) equals {@code name} ignoring case,
   * from the bytes alone where it can. A key's UTF-16 length is at most its UTF-8 length, equal
   * when it is ASCII, and at least a third of it: a key of fewer bytes than the name, or of more
   * than three times as many, is another; a key of as many bytes is equal when ASCII and equal
   * ignoring ASCII case; one in between can only be equal when it is not ASCII.
   */
  private static int compare(ByteBuffer raw, String name) {
    int length = raw.remaining();
    int n = name.length();
    if (length < n || length > 3 * n) {
      return DIFFERENT;
    }
    int at = raw.position();
    if (length > n) {
      for (int i = 0; i < length; i++) {
        if (raw.get(at + i) < 0) {
          return UNSURE;
        }
      }
      return DIFFERENT;
    }
    for (int i = 0; i < n; i++) {
      int b = raw.get(at + i);
      char c = name.charAt(i);
      if (b < 0 || c >= 0x80) {
        // a key of n bytes with a non-ASCII one has fewer than n characters, but a non-ASCII name
        // may still fold onto it: leave both to equalsIgnoreCase
        return c >= 0x80 ? UNSURE : DIFFERENT;
      }
      if (b >= 'A' && b <= 'Z') {
        b += 'a' - 'A';
      }
      if (b != c) {
        return DIFFERENT;
      }
    }
    return EQUAL;
  }

  /** The key's bytes while {@code header} is a {@link RecordHeader} that did not decode it yet. */
  static ByteBuffer undecoded(Header header) {
    if (KEY_BUFFER == null || header.getClass() != RecordHeader.class) {
      return null;
    }
    return (ByteBuffer) KEY_BUFFER.getAcquire((RecordHeader) header);
  }
}
