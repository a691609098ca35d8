package io.sidetrack.schemas;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.InterceptState;
import io.sidetrack.core.InterceptStatus;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.audit.AuditRecord;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.trust.RouteSignature;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.avro.HeaderMatchKind;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.avro.RouteEntry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Converts between the core model (plain records) and the generated Avro classes; Avro stays at the
 * serde boundary.
 */
public final class AvroMapping {
  private AvroMapping() {}

  public static Intercept toIntercept(InterceptRegistration r) {
    return new Intercept(
        r.getId(),
        r.getWorkload(),
        r.getOwner(),
        toMatch(r.getMatch()),
        r.getTarget(),
        r.getCreatedAt(),
        r.getExpiresAt(),
        FailureMode.valueOf(r.getFailureMode().name()),
        r.getLabels() == null ? Map.of() : Map.copyOf(r.getLabels()),
        toSignature(r.getSignatureKeyId(), r.getSignature()),
        toTopics(r.getTopics(), SharedStrings.NONE));
  }

  /** Topics of a record: null (a reader built before the field) is none. */
  private static List<String> toTopics(List<String> topics, SharedStrings shared) {
    if (topics == null || topics.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>(topics.size());
    for (String t : topics) {
      out.add(shared.share(t));
    }
    return out;
  }

  public static InterceptRegistration toRegistration(Intercept i) {
    return InterceptRegistration.newBuilder()
        .setId(i.id())
        .setWorkload(i.workload())
        .setOwner(i.owner())
        .setMatch(toAvro(i.match()))
        .setTarget(i.target())
        .setCreatedAt(i.createdAt())
        .setExpiresAt(i.expiresAt())
        .setFailureMode(io.sidetrack.schemas.avro.FailureMode.valueOf(i.failureMode().name()))
        .setLabels(new HashMap<>(i.labels()))
        .setSignature(ByteBuffer.wrap(i.signature().bytes()))
        .setSignatureKeyId(i.signature().keyId())
        .setTopics(new ArrayList<>(i.topics()))
        .build();
  }

  /** The core form of an audit event. */
  public static AuditRecord toAuditRecord(AuditEvent e) {
    return new AuditRecord(
        e.getTime(),
        AuditRecord.Kind.valueOf(e.getKind().name()),
        e.getWorkload(),
        e.getInterceptId(),
        e.getActor(),
        e.getReason(),
        e.getBefore() == null ? null : toIntercept(e.getBefore()),
        e.getAfter() == null ? null : toIntercept(e.getAfter()));
  }

  /** The core form of a route entry. */
  public static Route toRoute(RouteEntry r) {
    return toRoute(r, SharedStrings.NONE);
  }

  /**
   * The core form of a route entry, its repeated strings (workload, owner, target, header names,
   * baggage keys, key id) taken from {@code shared}, and a baggage value equal to a header value of
   * the same entry (a personal intercept's) kept once: for readers that hold many routes.
   */
  public static Route toRoute(RouteEntry r, SharedStrings shared) {
    return toRoute(r, shared, null);
  }

  /**
   * As {@link #toRoute(RouteEntry, SharedStrings)}, with {@code knownId} as the route's intercept
   * id when the entry's equals it: a reader whose table already holds that id keeps one instance.
   */
  public static Route toRoute(RouteEntry r, SharedStrings shared, String knownId) {
    String id = r.getInterceptId();
    return new Route(
        knownId != null && knownId.equals(id) ? knownId : id,
        shared.share(r.getWorkload()),
        shared.share(r.getOwner()),
        toMatch(r.getMatch(), shared),
        shared.share(r.getTarget()),
        r.getCreatedAt(),
        FailureMode.valueOf(r.getFailureMode().name()),
        toSignature(shared.share(r.getSignatureKeyId()), r.getSignature()),
        toTopics(r.getTopics(), shared));
  }

  /** The signature of a record; {@link RouteSignature#NONE} when it has none. */
  private static RouteSignature toSignature(CharSequence keyId, ByteBuffer bytes) {
    if (bytes == null || !bytes.hasRemaining()) {
      return RouteSignature.NONE;
    }
    byte[] b = new byte[bytes.remaining()];
    bytes.duplicate().get(b);
    return new RouteSignature(keyId == null ? "" : keyId.toString(), b);
  }

  private static MatchRules toMatch(io.sidetrack.schemas.avro.MatchRules m, SharedStrings shared) {
    // loops, not streams: a new agent maps every route it reads while its code is still cold.
    // values: one instance per entry (a personal intercept's header and baggage carry the same)
    Map<String, String> values = new HashMap<>(4);
    List<io.sidetrack.schemas.avro.AnyOf> groups = m.getAnyOf();
    List<AnyOf> anyOf = new ArrayList<>(groups.size());
    for (int g = 0; g < groups.size(); g++) {
      io.sidetrack.schemas.avro.AnyOf group = groups.get(g);
      anyOf.add(
          new AnyOf(
              headers(group.getHeaders(), shared, values),
              baggage(group.getBaggage(), shared, values)));
    }
    return new MatchRules(
        headers(m.getHeaders(), shared, values),
        baggage(m.getBaggage(), shared, values),
        m.getPathPrefix() == null ? null : shared.share(m.getPathPrefix()),
        m.getMethod() == null ? null : shared.share(m.getMethod()),
        m.getGlobal(),
        anyOf);
  }

  private static List<HeaderMatch> headers(
      List<io.sidetrack.schemas.avro.HeaderMatch> headers,
      SharedStrings shared,
      Map<String, String> values) {
    if (headers.isEmpty()) {
      return List.of();
    }
    List<HeaderMatch> out = new ArrayList<>(headers.size());
    for (int i = 0; i < headers.size(); i++) {
      io.sidetrack.schemas.avro.HeaderMatch h = headers.get(i);
      out.add(
          new HeaderMatch(
              shared.share(h.getName().toLowerCase(Locale.ROOT)),
              h.getKind() == HeaderMatchKind.EXACT
                  ? HeaderMatch.Kind.EXACT
                  : HeaderMatch.Kind.REGEX,
              values.computeIfAbsent(h.getValue(), v -> v)));
    }
    return out;
  }

  private static List<BaggageMatch> baggage(
      List<io.sidetrack.schemas.avro.BaggageMatch> baggage,
      SharedStrings shared,
      Map<String, String> values) {
    if (baggage.isEmpty()) {
      return List.of();
    }
    List<BaggageMatch> out = new ArrayList<>(baggage.size());
    for (int i = 0; i < baggage.size(); i++) {
      io.sidetrack.schemas.avro.BaggageMatch b = baggage.get(i);
      out.add(
          new BaggageMatch(shared.share(b.getKey()), values.computeIfAbsent(b.getValue(), v -> v)));
    }
    return out;
  }

  /** The route entry agents need for an active intercept. */
  public static RouteEntry toRouteEntry(Intercept i) {
    return RouteEntry.newBuilder()
        .setInterceptId(i.id())
        .setWorkload(i.workload())
        .setOwner(i.owner())
        .setMatch(toAvro(i.match()))
        .setTarget(i.target())
        .setCreatedAt(i.createdAt())
        .setFailureMode(io.sidetrack.schemas.avro.FailureMode.valueOf(i.failureMode().name()))
        .setSignature(ByteBuffer.wrap(i.signature().bytes()))
        .setSignatureKeyId(i.signature().keyId())
        .setTopics(new ArrayList<>(i.topics()))
        .build();
  }

  public static MatchRules toMatch(io.sidetrack.schemas.avro.MatchRules m) {
    return new MatchRules(
        m.getHeaders().stream().map(AvroMapping::toHeader).toList(),
        m.getBaggage().stream().map(AvroMapping::toBaggage).toList(),
        m.getPathPrefix(),
        m.getMethod(),
        m.getGlobal(),
        m.getAnyOf().stream()
            .map(
                g ->
                    new AnyOf(
                        g.getHeaders().stream().map(AvroMapping::toHeader).toList(),
                        g.getBaggage().stream().map(AvroMapping::toBaggage).toList()))
            .toList());
  }

  public static io.sidetrack.schemas.avro.MatchRules toAvro(MatchRules m) {
    return io.sidetrack.schemas.avro.MatchRules.newBuilder()
        .setHeaders(m.headers().stream().map(AvroMapping::toAvro).toList())
        .setBaggage(m.baggage().stream().map(AvroMapping::toAvro).toList())
        .setPathPrefix(m.pathPrefix())
        .setMethod(m.method())
        .setGlobal(m.global())
        .setAnyOf(
            m.anyOf().stream()
                .map(
                    g ->
                        io.sidetrack.schemas.avro.AnyOf.newBuilder()
                            .setHeaders(g.headers().stream().map(AvroMapping::toAvro).toList())
                            .setBaggage(g.baggage().stream().map(AvroMapping::toAvro).toList())
                            .build())
                .toList())
        .build();
  }

  private static HeaderMatch toHeader(io.sidetrack.schemas.avro.HeaderMatch h) {
    return new HeaderMatch(h.getName(), HeaderMatch.Kind.valueOf(h.getKind().name()), h.getValue());
  }

  private static BaggageMatch toBaggage(io.sidetrack.schemas.avro.BaggageMatch b) {
    return new BaggageMatch(b.getKey(), b.getValue());
  }

  private static io.sidetrack.schemas.avro.HeaderMatch toAvro(HeaderMatch h) {
    return io.sidetrack.schemas.avro.HeaderMatch.newBuilder()
        .setName(h.name())
        .setKind(HeaderMatchKind.valueOf(h.kind().name()))
        .setValue(h.value())
        .build();
  }

  private static io.sidetrack.schemas.avro.BaggageMatch toAvro(BaggageMatch b) {
    return io.sidetrack.schemas.avro.BaggageMatch.newBuilder()
        .setKey(b.key())
        .setValue(b.value())
        .build();
  }

  public static InterceptState toState(io.sidetrack.schemas.avro.InterceptState s) {
    return new InterceptState(
        toIntercept(s.getIntercept()),
        InterceptStatus.valueOf(s.getStatus().name()),
        s.getReason(),
        s.getDecidedAt());
  }

  public static io.sidetrack.schemas.avro.InterceptState toAvro(InterceptState s) {
    return io.sidetrack.schemas.avro.InterceptState.newBuilder()
        .setIntercept(toRegistration(s.intercept()))
        .setStatus(io.sidetrack.schemas.avro.InterceptStatus.valueOf(s.status().name()))
        .setReason(s.reason())
        .setDecidedAt(s.decidedAt())
        .build();
  }
}
