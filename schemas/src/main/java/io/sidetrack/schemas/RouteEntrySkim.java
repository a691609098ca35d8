package io.sidetrack.schemas;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Reads of a Confluent-framed {@link RouteEntry} only what a new agent indexes it by: its intercept
 * id, match rules and creation time, straight from the Avro binary body, and checks that the rest
 * is well formed without decoding it. Numbers, booleans and lengths are read as Avro's own decoder
 * reads them, so what it decodes the skim reads. A new agent so indexes 100,000 routes in a
 * fraction of the time the generic Avro reader takes to decode them (mostly code that is still cold
 * then); each route is decoded whole, by {@link AvroMapping#toRoute}, when it is first needed.
 *
 * <p>It reads the layout of the schema compiled into this build only ({@link #reads}): a record
 * written with another schema (an older or newer writer) is decoded whole. The match rules are
 * mapped as {@link AvroMapping#toRoute} maps them (header names lower-cased, repeated strings
 * shared); {@code RouteEntrySkimTest} checks both agree on random entries, and pins the schema's
 * fingerprint so that a change to {@code RouteEntry.avsc} is a change here too.
 */
public final class RouteEntrySkim {
  private static final long FINGERPRINT =
      SchemaNormalization.parsingFingerprint64(RouteEntry.getClassSchema());

  private static final int HEADER_KINDS = 2; // EXACT, REGEX
  private static final int FAILURE_MODES = 2; // FAIL_OPEN, FAIL_CLOSED

  /**
   * What a first read needs of a route entry.
   *
   * @param interceptId the intercept
   * @param match what it takes
   * @param createdAt its first registration
   */
  public record Skimmed(String interceptId, MatchRules match, Instant createdAt) {}

  private final byte[] data;
  private int pos;

  private RouteEntrySkim(byte[] data) {
    this.data = data;
    this.pos = AvroSerde.bodyOffset();
  }

  /** Whether records written with {@code writer} can be skimmed: it is this build's schema. */
  public static boolean reads(Schema writer) {
    return SchemaNormalization.parsingFingerprint64(writer) == FINGERPRINT;
  }

  /**
   * The intercept id, match rules and creation time of {@code framed}, a Confluent-framed route
   * entry written with this build's schema ({@link #reads}), repeated strings taken from {@code
   * shared}.
   *
   * @throws IllegalArgumentException when it is not a well-formed entry of that schema, or its
   *     match rules are not valid ones
   */
  public static Skimmed skim(byte[] framed, SharedStrings shared) {
    if (framed == null || framed.length < AvroSerde.bodyOffset()) {
      throw new IllegalArgumentException("not a Confluent-framed route entry");
    }
    try {
      return new RouteEntrySkim(framed).read(shared);
    } catch (ArrayIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("route entry ends early", e);
    }
  }

  private Skimmed read(SharedStrings shared) {
    String interceptId = string();
    skipString(); // workload
    skipString(); // owner
    // one instance of each value per entry (a personal intercept's header and baggage carry one)
    Map<String, String> values = new HashMap<>(4);
    List<HeaderMatch> headers = headers(shared, values);
    List<BaggageMatch> baggage = baggage(shared, values);
    String pathPrefix = optionalString(shared);
    String method = optionalString(shared);
    boolean global = bool();
    List<AnyOf> anyOf = List.of();
    for (long n = blockCount(); n != 0; n = blockCount()) {
      if (anyOf.isEmpty()) {
        anyOf = new ArrayList<>((int) Math.min(n, 16));
      }
      for (long i = 0; i < n; i++) {
        anyOf.add(new AnyOf(headers(shared, values), baggage(shared, values)));
      }
    }
    skipString(); // target
    Instant createdAt = Instant.ofEpochMilli(varLong());
    int failureMode = varInt();
    if (failureMode < 0 || failureMode >= FAILURE_MODES) {
      throw new IllegalArgumentException("route entry has failure mode " + failureMode);
    }
    skipString(); // signature (bytes are encoded as a string is)
    skipString(); // signature key id
    for (long n = blockCount(); n != 0; n = blockCount()) {
      for (long i = 0; i < n; i++) {
        skipString(); // topic
      }
    }
    // bytes after the last field are left alone, as Avro's decoder leaves them
    return new Skimmed(
        interceptId,
        new MatchRules(headers, baggage, pathPrefix, method, global, anyOf),
        createdAt);
  }

  private List<HeaderMatch> headers(SharedStrings shared, Map<String, String> values) {
    List<HeaderMatch> out = List.of();
    for (long n = blockCount(); n != 0; n = blockCount()) {
      if (out.isEmpty()) {
        out = new ArrayList<>((int) Math.min(n, 16));
      }
      for (long i = 0; i < n; i++) {
        String name = shared.share(string().toLowerCase(Locale.ROOT));
        int kind = varInt();
        if (kind < 0 || kind >= HEADER_KINDS) {
          throw new IllegalArgumentException("route entry has header match kind " + kind);
        }
        out.add(
            new HeaderMatch(
                name,
                kind == 0 ? HeaderMatch.Kind.EXACT : HeaderMatch.Kind.REGEX,
                values.computeIfAbsent(string(), v -> v)));
      }
    }
    return out;
  }

  private List<BaggageMatch> baggage(SharedStrings shared, Map<String, String> values) {
    List<BaggageMatch> out = List.of();
    for (long n = blockCount(); n != 0; n = blockCount()) {
      if (out.isEmpty()) {
        out = new ArrayList<>((int) Math.min(n, 16));
      }
      for (long i = 0; i < n; i++) {
        String key = shared.share(string());
        out.add(new BaggageMatch(key, values.computeIfAbsent(string(), v -> v)));
      }
    }
    return out;
  }

  /** The item count of an array's next block (0 ends the array), past its byte size if given. */
  private long blockCount() {
    long n = varLong();
    if (n < 0) {
      varLong(); // the block's size in bytes
      n = -n;
    }
    if (n > data.length - pos) {
      throw new IllegalArgumentException("route entry has an array of " + n + " items");
    }
    return n;
  }

  private String optionalString(SharedStrings shared) {
    int branch = varInt();
    if (branch == 0) {
      return null;
    }
    if (branch != 1) {
      throw new IllegalArgumentException("route entry has union branch " + branch);
    }
    return shared.share(string());
  }

  /** An Avro boolean as Avro's decoder reads it: true when the byte is 1, false otherwise. */
  private boolean bool() {
    return data[pos++] == 1;
  }

  private String string() {
    int length = length();
    String s = new String(data, pos, length, StandardCharsets.UTF_8);
    pos += length;
    return s;
  }

  private void skipString() {
    int length = length(); // (not "pos += length()": that would add to pos as it was before)
    pos += length;
  }

  private int length() {
    int length = varInt();
    if (length < 0 || length > data.length - pos) {
      throw new IllegalArgumentException("route entry has a string of length " + length);
    }
    return length;
  }

  /**
   * An Avro int (an enum's index, a union's branch, a string's length) as Avro's decoder reads it:
   * a zig-zag variable-length integer of at most 5 bytes, bits past 32 dropped.
   */
  private int varInt() {
    int n = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      int b = data[pos++] & 0xff;
      n |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return (n >>> 1) ^ -(n & 1);
      }
    }
    throw new IllegalArgumentException("route entry has an int of more than 5 bytes");
  }

  /** An Avro long: a zig-zag variable-length integer of at most 10 bytes. */
  private long varLong() {
    long n = 0;
    int shift = 0;
    int b;
    do {
      if (shift > 63) {
        throw new IllegalArgumentException("route entry has an integer of more than 10 bytes");
      }
      b = data[pos++] & 0xff;
      n |= (long) (b & 0x7f) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    return (n >>> 1) ^ -(n & 1);
  }
}
