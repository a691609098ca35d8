package io.sidetrack.core.trust;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.routing.Route;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * What a route says, in the one byte form a router signs and agents and registry-stream verify:
 * independent of the Avro schema's version, so adding a field to a schema never breaks a signature.
 * The lease ({@code expiresAt}) and the labels are not in it: a renewal keeps its signature, and a
 * route entry has neither.
 *
 * <p>Version 1, in this order: the ASCII magic {@code sidetrack-route-v1}; then intercept id,
 * workload, owner, target as strings; {@code createdAt} as epoch milliseconds (what Avro keeps), an
 * 8-byte big-endian signed long; failure mode as its name; then the match rules: {@code global} as
 * one byte 0/1, path prefix and method each as a presence byte 0/1 followed by the string when
 * present, the required headers (a count, then name, kind name, value each), the required baggage
 * members (a count, then key, value each), the any-of groups (a count, then per group its headers
 * and its baggage as before). Lists keep the order they were written in. A string is its UTF-8
 * bytes after a 4-byte big-endian length; a count is a 4-byte big-endian int.
 *
 * <p>Version 2 is the form of a route that takes Kafka topics: the magic {@code
 * sidetrack-route-v2}, every field of version 1 in the same order, then the topics (a count, then
 * each topic, in their canonical sorted order). A route without topics keeps version 1, byte for
 * byte: signatures made before topics existed still verify, and agents that know only version 1
 * verify every route without topics as before (they refuse a route with topics, whose signature
 * covers bytes they do not build).
 *
 * @param interceptId the intercept
 * @param workload its workload
 * @param owner the developer
 * @param match what it takes
 * @param target where it sends what it takes
 * @param createdAt its first registration
 * @param failureMode what agents do when the target is unreachable
 * @param topics the Kafka topics it takes records of; empty for version 1
 */
public record RouteStatement(
    String interceptId,
    String workload,
    String owner,
    MatchRules match,
    String target,
    Instant createdAt,
    FailureMode failureMode,
    List<String> topics) {

  /** The magic that starts version 1 of the byte form. */
  public static final String MAGIC_V1 = "sidetrack-route-v1";

  /** The magic that starts version 2 of the byte form: a route that takes topics. */
  public static final String MAGIC_V2 = "sidetrack-route-v2";

  public RouteStatement {
    requireNonNull(interceptId, "interceptId");
    requireNonNull(workload, "workload");
    requireNonNull(owner, "owner");
    requireNonNull(match, "match");
    requireNonNull(target, "target");
    requireNonNull(createdAt, "createdAt");
    requireNonNull(failureMode, "failureMode");
    topics = Intercept.canonicalTopics(topics);
  }

  /** A statement of a route without topics (version 1). */
  public RouteStatement(
      String interceptId,
      String workload,
      String owner,
      MatchRules match,
      String target,
      Instant createdAt,
      FailureMode failureMode) {
    this(interceptId, workload, owner, match, target, createdAt, failureMode, List.of());
  }

  /** The version of the byte form: 1 without topics, 2 with. */
  public int version() {
    return topics.isEmpty() ? 1 : 2;
  }

  /** What a registration says. */
  public static RouteStatement of(Intercept i) {
    requireNonNull(i, "intercept");
    return new RouteStatement(
        i.id(),
        i.workload(),
        i.owner(),
        i.match(),
        i.target(),
        i.createdAt(),
        i.failureMode(),
        i.topics());
  }

  /** What a route entry says. */
  public static RouteStatement of(Route r) {
    requireNonNull(r, "route");
    return new RouteStatement(
        r.interceptId(),
        r.workload(),
        r.owner(),
        r.match(),
        r.target(),
        r.createdAt(),
        r.failureMode(),
        r.topics());
  }

  /** The byte form of {@link #version()}: what is signed. */
  public byte[] bytes() {
    Out out = new Out();
    out.raw((topics.isEmpty() ? MAGIC_V1 : MAGIC_V2).getBytes(StandardCharsets.US_ASCII));
    out.string(interceptId);
    out.string(workload);
    out.string(owner);
    out.string(target);
    out.int64(createdAt.toEpochMilli());
    out.string(failureMode.name());
    out.flag(match.global());
    out.optional(match.pathPrefix());
    out.optional(match.method());
    headers(out, match.headers());
    baggage(out, match.baggage());
    out.int32(match.anyOf().size());
    for (AnyOf group : match.anyOf()) {
      headers(out, group.headers());
      baggage(out, group.baggage());
    }
    if (!topics.isEmpty()) {
      out.int32(topics.size());
      topics.forEach(out::string);
    }
    return out.toByteArray();
  }

  private static void headers(Out out, List<HeaderMatch> headers) {
    out.int32(headers.size());
    for (HeaderMatch h : headers) {
      out.string(h.name());
      out.string(h.kind().name());
      out.string(h.value());
    }
  }

  private static void baggage(Out out, List<BaggageMatch> baggage) {
    out.int32(baggage.size());
    for (BaggageMatch b : baggage) {
      out.string(b.key());
      out.string(b.value());
    }
  }

  /** A growing byte array: the core does no I/O, so no streams. */
  private static final class Out {
    private byte[] buf = new byte[256];
    private int size;

    void raw(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, buf, size, b.length);
      size += b.length;
    }

    void string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      int32(b.length);
      raw(b);
    }

    void optional(String s) {
      flag(s != null);
      if (s != null) {
        string(s);
      }
    }

    void flag(boolean b) {
      ensure(1);
      buf[size++] = (byte) (b ? 1 : 0);
    }

    void int32(int v) {
      ensure(4);
      for (int shift = 24; shift >= 0; shift -= 8) {
        buf[size++] = (byte) (v >>> shift);
      }
    }

    void int64(long v) {
      ensure(8);
      for (int shift = 56; shift >= 0; shift -= 8) {
        buf[size++] = (byte) (v >>> shift);
      }
    }

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }
  }
}
