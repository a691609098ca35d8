package io.sidetrack.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
