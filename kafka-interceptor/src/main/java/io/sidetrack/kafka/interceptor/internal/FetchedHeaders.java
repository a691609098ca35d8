package io.sidetrack.kafka.interceptor.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Reads a fetched record's headers without copying them out when it can. A consumer's fetch makes
 * each header over the fetched bytes, and {@link Header#key()} and {@link Header#value()} copy the
 * key into a new string and the value into a new array, each under a lock, the first time they are
 * asked for: more than the rest of the interceptor's work on a record no intercept claims. So where
 * Kafka's {@link RecordHeader} still holds them as bytes, they are read as they are; any other
 * header, one already copied, or a Kafka whose {@code RecordHeader} has no such fields, is read
 * through {@link Header#key()} and {@link Header#value()}.
 *
 * <p>Keys are compared with names as HTTP compares field names, which routes' names are (RFC 9110
 * tokens, lower-case): ASCII case-insensitively. A key with other characters is no name's, as a
 * request's field would not be; Java's {@code equalsIgnoreCase}, used before, also folded some
 * non-ASCII letters onto ASCII ones (the Kelvin sign onto {@code k}).
 */
final class FetchedHeaders {
  /** {@code RecordHeader.keyBuffer}, or {@code null} when this Kafka has no such field. */
  private static final VarHandle KEY_BUFFER = field("keyBuffer");

  /** {@code RecordHeader.valueBuffer}, or {@code null} when this Kafka has no such field. */
  private static final VarHandle VALUE_BUFFER = field("valueBuffer");

  /** {@code RecordHeaders.headers}, or {@code null} when this Kafka has no such field. */
  private static final VarHandle HEADER_LIST = listField();

  private FetchedHeaders() {}

  private static VarHandle listField() {
    try {
      return MethodHandles.privateLookupIn(RecordHeaders.class, MethodHandles.lookup())
          .findVarHandle(RecordHeaders.class, "headers", List.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /**
   * A record's headers as the list Kafka's {@link RecordHeaders} keeps them in, to read by index
   * with no iterator made (about 30 bytes a record otherwise), or {@code null} when they are
   * another kind: then iterate them. Read only, on the consumer's thread, before the poll is handed
   * on.
   */
  @SuppressWarnings("unchecked")
  static List<Header> asList(Headers headers) {
    if (HEADER_LIST == null || headers.getClass() != RecordHeaders.class) {
      return null;
    }
    Object list = HEADER_LIST.get((RecordHeaders) headers);
    return list instanceof ArrayList ? (List<Header>) list : null;
  }

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

  /** Whether {@code header}'s key is {@code name} (a lower-case token), ignoring ASCII case. */
  static boolean is(Header header, String name) {
    ByteBuffer raw = undecoded(header);
    return raw == null
        ? asciiEqualsIgnoreCase(header.key(), name)
        : asciiEqualsIgnoreCase(raw, name);
  }

  /**
   * The index of the first of {@code names} (lower-case tokens) that {@code header}'s key is,
   * ignoring ASCII case, or -1.
   */
  static int indexOf(Header header, String[] names) {
    ByteBuffer raw = undecoded(header);
    String key = raw == null ? header.key() : null;
    for (int n = 0; n < names.length; n++) {
      if (raw == null
          ? asciiEqualsIgnoreCase(key, names[n])
          : asciiEqualsIgnoreCase(raw, names[n])) {
        return n;
      }
    }
    return -1;
  }

  /**
   * Whether the UTF-8 key in {@code raw} (from its position) is {@code name}, ignoring ASCII case.
   */
  private static boolean asciiEqualsIgnoreCase(ByteBuffer raw, String name) {
    int n = name.length();
    if (raw.remaining() != n) {
      return false;
    }
    int at = raw.position();
    for (int i = 0; i < n; i++) {
      // a non-ASCII byte is negative and equals no character of a token
      if (lower(raw.get(at + i)) != name.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean asciiEqualsIgnoreCase(String key, String name) {
    int n = name.length();
    if (key.length() != n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (c >= 0x80 || lower(c) != name.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
  }

  /** The key's bytes while {@code header} is a {@link RecordHeader} that did not decode it yet. */
  static ByteBuffer undecoded(Header header) {
    if (KEY_BUFFER == null || header.getClass() != RecordHeader.class) {
      return null;
    }
    return (ByteBuffer) KEY_BUFFER.getAcquire((RecordHeader) header);
  }
}
