package io.sidetrack.stream.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class InterceptJsonTest {
  @Test
  void anyOfGroupsListTheirHeaderAndBaggageAlternatives() {
    MatchRules rules =
        new MatchRules(
            List.of(HeaderMatch.regex("x-team", "pay.*")),
            List.of(),
            "/api",
            null,
            false,
            List.of(
                new AnyOf(
                    List.of(HeaderMatch.exact("x-sidetrack-id", "alice")),
                    List.of(new BaggageMatch("sidetrack-id", "alice")))));
    assertThat(InterceptJson.of(rules))
        .isEqualTo(
            new JsonObject(
                """
                {"headers": [{"name": "x-team", "regex": "pay.*"}],
                 "baggage": [],
                 "anyOf": [{"headers": [{"name": "x-sidetrack-id", "value": "alice"}],
                            "baggage": [{"key": "sidetrack-id", "value": "alice"}]}],
                 "pathPrefix": "/api",
                 "global": false}
                """));
  }

  @Test
  void rulesWithoutGroupsHaveAnEmptyAnyOf() {
    assertThat(InterceptJson.of(MatchRules.header("x-sidetrack-id", "bob")).getJsonArray("anyOf"))
        .isEmpty();
  }
}
