package io.sidetrack.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class InterceptSpecTest {
  @Test
  void roundTripsThroughJson() {
    InterceptSpec spec =
        new InterceptSpec(
            "i-1",
            "orders",
            new MatchRules(
                List.of(HeaderMatch.exact("x-sidetrack-id", "a"), HeaderMatch.regex("x-b", "b.*")),
                List.of(new BaggageMatch("tenant", "t1")),
                "/api",
                "POST",
                false),
            Duration.ofSeconds(45),
            true);
    JsonObject json = new JsonObject(spec.toJson().encode());
    assertThat(json.getString("type")).isEqualTo(Control.INTERCEPT);
    assertThat(InterceptSpec.fromJson(json)).isEqualTo(spec);
  }

  @Test
  void anyOfGroupsRoundTripThroughJson() {
    MatchRules rules =
        new MatchRules(
            List.of(HeaderMatch.exact("x-team", "pay")),
            List.of(),
            null,
            null,
            false,
            List.of(
                new AnyOf(
                    List.of(
                        HeaderMatch.exact("x-sidetrack-id", "a"), HeaderMatch.regex("x-b", "b.*")),
                    List.of(new BaggageMatch("sidetrack-id", "a"))),
                new AnyOf(List.of(), List.of(new BaggageMatch("tenant", "t1")))));
    JsonObject json = new JsonObject(InterceptSpec.matchToJson(rules).encode());
    assertThat(json.getJsonArray("anyOf").getJsonObject(0).getJsonArray("baggage").getJsonObject(0))
        .isEqualTo(new JsonObject().put("key", "sidetrack-id").put("value", "a"));
    assertThat(InterceptSpec.matchFromJson(json)).isEqualTo(rules);
    InterceptSpec personal =
        new InterceptSpec("i-2", "orders", MatchRules.personal("a"), Duration.ofSeconds(30), false);
    assertThat(InterceptSpec.fromJson(new JsonObject(personal.toJson().encode())))
        .isEqualTo(personal);
  }

  @Test
  void anAbsentAnyOfIsNoGroup() {
    // what a CLI from before any-of groups sends
    JsonObject old =
        new JsonObject(
            """
            {"headers": [{"name": "x-sidetrack-id", "value": "a", "regex": false}],
             "baggage": [], "pathPrefix": null, "method": null, "global": false}
            """);
    assertThat(InterceptSpec.matchFromJson(old))
        .isEqualTo(MatchRules.header("x-sidetrack-id", "a"));
  }

  @Test
  void aMalformedGroupNamesTheField() {
    JsonObject spec =
        new JsonObject()
            .put("id", "i")
            .put("workload", "w")
            .put("ttlMs", 10)
            .put(
                "anyOf",
                new io.vertx.core.json.JsonArray()
                    .add(
                        new JsonObject()
                            .put(
                                "baggage",
                                new io.vertx.core.json.JsonArray()
                                    .add(new JsonObject().put("key", "k")))));
    assertThatThrownBy(() -> InterceptSpec.fromJson(spec)).hasMessage("'value' is missing");
    assertThatThrownBy(
            () ->
                InterceptSpec.fromJson(
                    spec.copy().put("anyOf", new io.vertx.core.json.JsonArray().add("nope"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed match rules");
  }

  @Test
  void malformedRequestsNameTheField() {
    assertThatThrownBy(() -> InterceptSpec.fromJson(new JsonObject().put("ttlMs", 1000)))
        .hasMessage("'id' is missing");
    assertThatThrownBy(
            () ->
                InterceptSpec.fromJson(
                    new JsonObject().put("id", "i").put("workload", "w").put("ttlMs", 0)))
        .hasMessage("ttlMs must be positive");
    assertThatThrownBy(
            () ->
                InterceptSpec.fromJson(
                    new JsonObject().put("id", 5).put("workload", "w").put("ttlMs", 10)))
        .hasMessage("'id' must be a string");
    assertThatThrownBy(
            () ->
                InterceptSpec.fromJson(
                    new JsonObject()
                        .put("id", "i")
                        .put("workload", "w")
                        .put("ttlMs", 10)
                        .put("headers", new io.vertx.core.json.JsonArray().add("nope"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed match rules");
  }

  @Test
  void aPreviewRoundTripsAndItsAbsenceMeansNone() {
    InterceptSpec plain =
        new InterceptSpec(
            "i-1", "demo", MatchRules.personal("alice"), Duration.ofSeconds(30), false);
    assertThat(plain.preview()).isEqualTo(PreviewAccess.NONE);
    JsonObject json = new JsonObject(plain.toJson().encode());
    assertThat(json.containsKey("preview")).isFalse();
    assertThat(InterceptSpec.fromJson(json).preview()).isEqualTo(PreviewAccess.NONE);
    for (PreviewAccess access : List.of(PreviewAccess.PUBLIC, PreviewAccess.TOKEN)) {
      InterceptSpec spec =
          new InterceptSpec(
              "i-1",
              "demo",
              MatchRules.header("x-sidetrack-id", "a"),
              Duration.ofSeconds(30),
              false,
              access);
      JsonObject wire = new JsonObject(spec.toJson().encode());
      assertThat(wire.getString("preview")).isEqualTo(access.wire());
      assertThat(InterceptSpec.fromJson(wire)).isEqualTo(spec);
    }
  }

  @Test
  void anUnknownPreviewModeNamesTheFieldAndTheValue() {
    JsonObject json =
        new JsonObject().put("id", "i").put("workload", "w").put("ttlMs", 10).put("preview", "all");
    assertThatThrownBy(() -> InterceptSpec.fromJson(json))
        .hasMessage("'preview' must be none, public or token, got 'all'");
    assertThatThrownBy(() -> InterceptSpec.fromJson(json.put("preview", 1)))
        .hasMessage("'preview' must be a string");
  }

  @Test
  void theActiveStatusCarriesThePreviewUrlOrWhyNot() {
    assertThat(
            Control.active("i", 1, 5, "http://x.preview.localhost:1/", null)
                .getString(Control.PREVIEW))
        .isEqualTo("http://x.preview.localhost:1/");
    JsonObject none = Control.active("i", 1, 5, null, "no listener");
    assertThat(none.getString(Control.PREVIEW_UNAVAILABLE)).isEqualTo("no listener");
    assertThat(none.containsKey(Control.PREVIEW)).isFalse();
    assertThat(Control.active("i", 1, 5).fieldNames())
        .doesNotContain(Control.PREVIEW, Control.PREVIEW_UNAVAILABLE);
  }

  @Test
  @org.junit.jupiter.api.Timeout(10)
  void topicsRoundTripAndAnOlderCliMeansNone() {
    InterceptSpec spec =
        new InterceptSpec("i-1", "orders", MatchRules.personal("a"), Duration.ofSeconds(30), false)
            .withTopics(List.of("orders.created", "payments"));
    JsonObject json = new JsonObject(spec.toJson().encode());

    assertThat(json.getJsonArray("topics").getList()).containsExactly("orders.created", "payments");
    assertThat(InterceptSpec.fromJson(json)).isEqualTo(spec);

    json.remove("topics");
    assertThat(InterceptSpec.fromJson(json).topics()).isEmpty();
    assertThatThrownBy(() -> InterceptSpec.fromJson(json.copy().put("topics", "orders")))
        .hasMessageContaining("'topics' must be an array of strings");
  }

  @Test
  @org.junit.jupiter.api.Timeout(10)
  void recordsAreRelayedOnlyForACliThatSaysItTakesThem() {
    InterceptSpec relayed =
        new InterceptSpec("i-1", "orders", MatchRules.personal("a"), Duration.ofSeconds(30), false)
            .withTopics(List.of("orders.created"));
    InterceptSpec direct = relayed.withTopics(List.of("orders.created"), true);

    JsonObject tunnel = new JsonObject(relayed.toJson().encode());
    assertThat(tunnel.getString("records")).isEqualTo("tunnel");
    assertThat(InterceptSpec.fromJson(tunnel)).isEqualTo(relayed);
    JsonObject json = new JsonObject(direct.toJson().encode());
    assertThat(json.getString("records")).isEqualTo("direct");
    assertThat(InterceptSpec.fromJson(json)).isEqualTo(direct);
    // a CLI of before the records streams sends topics and no "records": it cannot take a stream
    json.remove("records");
    assertThat(InterceptSpec.fromJson(json).recordsDirect()).isTrue();
    // no topics, nothing said
    JsonObject plain =
        new InterceptSpec("i-2", "orders", MatchRules.personal("a"), Duration.ofSeconds(30), false)
            .toJson();
    assertThat(plain.containsKey("records")).isFalse();
    assertThat(InterceptSpec.fromJson(plain).recordsDirect()).isFalse();
    assertThatThrownBy(() -> InterceptSpec.fromJson(json.copy().put("records", "kafka")))
        .hasMessageContaining("'records' must be \"tunnel\" or \"direct\"");
  }
}
