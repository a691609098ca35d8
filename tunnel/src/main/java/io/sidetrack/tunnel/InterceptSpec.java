package io.sidetrack.tunnel;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a developer asks for when the tunnel opens: the CLI's half of a registration. The router
 * adds the owner (from the token) and the target (itself).
 *
 * @param id the intercept id, kept across reconnects
 * @param workload the workload
 * @param match which requests
 * @param ttl the lease, renewed by the router while the tunnel is up
 * @param failClosed whether agents answer 503 instead of falling back to the app
 * @param preview whether the router should serve a preview URL for it, and to whom; absent on the
 *     wire (an older CLI) means {@link PreviewAccess#NONE}
 * @param topics Kafka topics whose records the intercept takes too; absent on the wire (an older
 *     CLI) means none
 * @param recordsDirect whether the router relays no records: the developer's consumers read the
 *     topics from the cluster's Kafka themselves ({@code --kafka-direct}). On the wire {@code
 *     "records"} is {@code "tunnel"} or {@code "direct"} when there are topics; absent there (a CLI
 *     of before the records streams, which could not take one) means direct
 */
public record InterceptSpec(
    String id,
    String workload,
    MatchRules match,
    Duration ttl,
    boolean failClosed,
    PreviewAccess preview,
    List<String> topics,
    boolean recordsDirect) {

  /** The wire values of {@code records}. */
  private static final String DIRECT = "direct";

  private static final String TUNNEL = "tunnel";

  public InterceptSpec {
    java.util.Objects.requireNonNull(preview, "preview");
    topics = List.copyOf(java.util.Objects.requireNonNull(topics, "topics"));
  }

  /** A spec whose records, if it names topics, the router relays. */
  public InterceptSpec(
      String id,
      String workload,
      MatchRules match,
      Duration ttl,
      boolean failClosed,
      PreviewAccess preview,
      List<String> topics) {
    this(id, workload, match, ttl, failClosed, preview, topics, false);
  }

  /** A spec of requests only. */
  public InterceptSpec(
      String id,
      String workload,
      MatchRules match,
      Duration ttl,
      boolean failClosed,
      PreviewAccess preview) {
    this(id, workload, match, ttl, failClosed, preview, List.of());
  }

  /** This spec taking the records of {@code newTopics} too, relayed by the router. */
  public InterceptSpec withTopics(List<String> newTopics) {
    return withTopics(newTopics, false);
  }

  /**
   * This spec taking the records of {@code newTopics} too; {@code direct}: the developer's
   * consumers read them from the cluster themselves.
   */
  public InterceptSpec withTopics(List<String> newTopics, boolean direct) {
    return new InterceptSpec(id, workload, match, ttl, failClosed, preview, newTopics, direct);
  }

  /** A spec without a preview URL. */
  public InterceptSpec(
      String id, String workload, MatchRules match, Duration ttl, boolean failClosed) {
    this(id, workload, match, ttl, failClosed, PreviewAccess.NONE);
  }

  public JsonObject toJson() {
    JsonObject json =
        matchToJson(match)
            .put("type", Control.INTERCEPT)
            .put("id", id)
            .put("workload", workload)
            .put("ttlMs", ttl.toMillis())
            .put("failClosed", failClosed);
    if (!topics.isEmpty()) {
      json.put("topics", new JsonArray(new ArrayList<>(topics)));
    }
    if (!topics.isEmpty()) {
      json.put("records", recordsDirect ? DIRECT : TUNNEL);
    }
    return preview == PreviewAccess.NONE ? json : json.put("preview", preview.wire());
  }

  /**
   * Match rules as JSON: {@code headers} ({@code name}, {@code value}, {@code regex}), {@code
   * baggage} ({@code key}, {@code value}), {@code anyOf} (groups: {@code {headers: [...], baggage:
   * [...]}}), {@code pathPrefix}, {@code method}, {@code global}.
   */
  public static JsonObject matchToJson(MatchRules match) {
    JsonArray groups = new JsonArray();
    for (AnyOf g : match.anyOf()) {
      groups.add(
          new JsonObject()
              .put("headers", headersToJson(g.headers()))
              .put("baggage", baggageToJson(g.baggage())));
    }
    return new JsonObject()
        .put("headers", headersToJson(match.headers()))
        .put("baggage", baggageToJson(match.baggage()))
        .put("anyOf", groups)
        .put("pathPrefix", match.pathPrefix())
        .put("method", match.method())
        .put("global", match.global());
  }

  private static JsonArray headersToJson(List<HeaderMatch> rules) {
    JsonArray headers = new JsonArray();
    for (HeaderMatch h : rules) {
      headers.add(
          new JsonObject()
              .put("name", h.name())
              .put("value", h.value())
              .put("regex", h.kind() == HeaderMatch.Kind.REGEX));
    }
    return headers;
  }

  private static JsonArray baggageToJson(List<BaggageMatch> rules) {
    JsonArray baggage = new JsonArray();
    for (BaggageMatch b : rules) {
      baggage.add(new JsonObject().put("key", b.key()).put("value", b.value()));
    }
    return baggage;
  }

  /**
   * Match rules from JSON; an absent {@code headers}, {@code baggage} or {@code anyOf} is none.
   *
   * @throws IllegalArgumentException naming the missing or malformed field
   */
  public static MatchRules matchFromJson(JsonObject json) {
    try {
      List<AnyOf> groups = new ArrayList<>();
      for (Object o : json.getJsonArray("anyOf", new JsonArray())) {
        JsonObject g = (JsonObject) o;
        groups.add(new AnyOf(headersFromJson(g), baggageFromJson(g)));
      }
      return new MatchRules(
          headersFromJson(json),
          baggageFromJson(json),
          json.getString("pathPrefix"),
          json.getString("method"),
          json.getBoolean("global", false),
          groups);
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("malformed match rules: " + e.getMessage(), e);
    }
  }

  private static List<HeaderMatch> headersFromJson(JsonObject json) {
    List<HeaderMatch> headers = new ArrayList<>();
    for (Object o : json.getJsonArray("headers", new JsonArray())) {
      JsonObject h = (JsonObject) o;
      String name = require(h, "name");
      String value = require(h, "value");
      headers.add(
          h.getBoolean("regex", false)
              ? HeaderMatch.regex(name, value)
              : HeaderMatch.exact(name, value));
    }
    return headers;
  }

  private static List<BaggageMatch> baggageFromJson(JsonObject json) {
    List<BaggageMatch> baggage = new ArrayList<>();
    for (Object o : json.getJsonArray("baggage", new JsonArray())) {
      JsonObject b = (JsonObject) o;
      baggage.add(new BaggageMatch(require(b, "key"), require(b, "value")));
    }
    return baggage;
  }

  /**
   * Reads a spec.
   *
   * @throws IllegalArgumentException naming the missing or malformed field
   */
  public static InterceptSpec fromJson(JsonObject json) {
    long ttlMs;
    try {
      ttlMs = json.getLong("ttlMs", 0L);
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("ttlMs must be a number", e);
    }
    if (ttlMs <= 0) {
      throw new IllegalArgumentException("ttlMs must be positive");
    }
    PreviewAccess preview =
        json.getValue("preview") == null
            ? PreviewAccess.NONE
            : PreviewAccess.parse(require(json, "preview"));
    return new InterceptSpec(
        require(json, "id"),
        require(json, "workload"),
        matchFromJson(json),
        Duration.ofMillis(ttlMs),
        Boolean.TRUE.equals(json.getValue("failClosed")),
        preview,
        topicsFromJson(json),
        recordsDirectFromJson(json));
  }

  /** {@code records}: {@code "tunnel"}, {@code "direct"}, or absent (direct when with topics). */
  private static boolean recordsDirectFromJson(JsonObject json) {
    Object v = json.getValue("records");
    if (v == null) {
      return json.getValue("topics") != null;
    }
    if (!DIRECT.equals(v) && !TUNNEL.equals(v)) {
      throw new IllegalArgumentException("'records' must be \"tunnel\" or \"direct\", got " + v);
    }
    return DIRECT.equals(v);
  }

  /** {@code topics}: an array of strings; absent is none. */
  public static List<String> topicsFromJson(JsonObject json) {
    Object v = json.getValue("topics");
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonArray array)) {
      throw new IllegalArgumentException("'topics' must be an array of strings");
    }
    List<String> topics = new ArrayList<>();
    for (Object t : array) {
      if (!(t instanceof String s)) {
        throw new IllegalArgumentException("'topics' must be an array of strings");
      }
      topics.add(s);
    }
    return topics;
  }

  private static String require(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v != null && !(v instanceof String)) {
      throw new IllegalArgumentException("'" + field + "' must be a string");
    }
    if (v == null) {
      throw new IllegalArgumentException("'" + field + "' is missing");
    }
    return (String) v;
  }
}
