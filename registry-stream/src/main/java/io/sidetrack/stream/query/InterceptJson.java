package io.sidetrack.stream.query;

import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.InterceptState;
import io.sidetrack.core.MatchRules;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

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
        .put("labels", new JsonObject(new java.util.HashMap<>(i.labels())));
  }

  static JsonObject of(MatchRules m) {
    JsonArray headers = new JsonArray();
    for (HeaderMatch h : m.headers()) {
      headers.add(
          new JsonObject()
              .put("name", h.name())
              .put(h.kind() == HeaderMatch.Kind.EXACT ? "value" : "regex", h.value()));
    }
    JsonArray baggage = new JsonArray();
    m.baggage()
        .forEach(b -> baggage.add(new JsonObject().put("key", b.key()).put("value", b.value())));
    JsonObject json = new JsonObject().put("headers", headers).put("baggage", baggage);
    if (m.pathPrefix() != null) {
      json.put("pathPrefix", m.pathPrefix());
    }
    if (m.method() != null) {
      json.put("method", m.method());
    }
    return json.put("global", m.global());
  }
}
