package io.sidetrack.stream.query;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.InterceptState;
import io.sidetrack.core.MatchRules;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The JSON form of intercepts in the query API. */
public final class InterceptJson {
  private InterceptJson() {}

  /** An intercept with its last decision. */
  public static JsonObject of(InterceptState state) {
    JsonObject json = of(state.intercept());
    json.put("status", state.status().name());
    if (state.reason() != null) {
      json.put("reason", state.reason());
    }
    json.put("decidedAt", state.decidedAt().toString());
    return json;
  }

  /** An intercept. */
  public static JsonObject of(Intercept i) {
    return new JsonObject()
        .put("id", i.id())
        .put("workload", i.workload())
        .put("owner", i.owner())
        .put("match", of(i.match()))
        .put("target", i.target())
        .put("failureMode", i.failureMode().name())
        .put("createdAt", i.createdAt().toString())
        .put("expiresAt", i.expiresAt().toString())
        .put("labels", new JsonObject(new java.util.HashMap<>(i.labels())))
        .put("topics", new JsonArray(new java.util.ArrayList<>(i.topics())));
  }

  /**
   * Match rules: {@code headers} ({@code name} with {@code value} or {@code regex}), {@code
   * baggage} ({@code key}, {@code value}), {@code anyOf} (groups of {@code headers} and {@code
   * baggage} alternatives), {@code pathPrefix} and {@code method} when set, {@code global}.
   */
  static JsonObject of(MatchRules m) {
    JsonArray groups = new JsonArray();
    for (AnyOf g : m.anyOf()) {
      groups.add(
          new JsonObject()
              .put("headers", headers(g.headers()))
              .put("baggage", baggage(g.baggage())));
    }
    JsonObject json =
        new JsonObject()
            .put("headers", headers(m.headers()))
            .put("baggage", baggage(m.baggage()))
            .put("anyOf", groups);
    if (m.pathPrefix() != null) {
      json.put("pathPrefix", m.pathPrefix());
    }
    if (m.method() != null) {
      json.put("method", m.method());
    }
    return json.put("global", m.global());
  }

  private static JsonArray headers(List<HeaderMatch> rules) {
    JsonArray headers = new JsonArray();
    for (HeaderMatch h : rules) {
      headers.add(
          new JsonObject()
              .put("name", h.name())
              .put(h.kind() == HeaderMatch.Kind.EXACT ? "value" : "regex", h.value()));
    }
    return headers;
  }

  private static JsonArray baggage(List<BaggageMatch> rules) {
    JsonArray baggage = new JsonArray();
    rules.forEach(b -> baggage.add(new JsonObject().put("key", b.key()).put("value", b.value())));
    return baggage;
  }
}
