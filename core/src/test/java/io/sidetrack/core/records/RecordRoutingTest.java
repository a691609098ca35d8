package io.sidetrack.core.records;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.routing.RequestView;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteMatch;
import io.sidetrack.core.trust.RouteSignature;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RecordRoutingTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  private static Route route(String id, String value, Instant created, String... topics) {
    return new Route(
        id,
        "orders",
        id,
        MatchRules.personal(value),
        "router:8071",
        created,
        FailureMode.FAIL_OPEN,
        RouteSignature.NONE,
        List.of(topics));
  }

  private static RequestView record(Map<String, List<String>> headers) {
    return new RequestView() {
      @Override
      public List<String> headerValues(String name) {
        return headers.getOrDefault(name, List.of());
      }

      @Override
      public String path() {
        return "";
      }

      @Override
      public String method() {
        return "";
      }
    };
  }

  private static Optional<String> taker(RecordRouting r, String topic, String header, String v) {
    return r.routeFor(topic, record(Map.of(header, List.of(v))))
        .map(RouteMatch::route)
        .map(Route::interceptId);
  }

  @Test
  void aRecordIsTakenOnlyOnATopicTheRouteNames() {
    RecordRouting r = RecordRouting.compile(List.of(route("ann", "ann", T0, "t1", "t2")));

    assertThat(taker(r, "t1", "x-sidetrack-id", "ann")).contains("ann");
    assertThat(taker(r, "t2", "x-sidetrack-id", "ann")).contains("ann");
    assertThat(taker(r, "t3", "x-sidetrack-id", "ann")).isEmpty();
    assertThat(taker(r, "t1", "x-sidetrack-id", "bob")).isEmpty();
    assertThat(taker(r, "t1", "baggage", "sidetrack-id=ann,other=1")).contains("ann");
    assertThat(r.covers("t1")).isTrue();
    assertThat(r.covers("t3")).isFalse();
  }

  @Test
  void routesWithoutTopicsTakeNoRecords() {
    RecordRouting r = RecordRouting.compile(List.of(route("ann", "ann", T0)));

    assertThat(r.size()).isZero();
    assertThat(r.topics()).isEmpty();
  }

  @Test
  void changesReplaceAndRemoveARouteFromEveryTopic() {
    RecordRouting r = RecordRouting.empty().with(route("ann", "ann", T0, "t1", "t2"));
    r = r.with(route("bob", "bob", T0, "t2"));

    RecordRouting moved = r.with(route("ann", "ann", T0, "t3"));
    assertThat(taker(moved, "t1", "x-sidetrack-id", "ann")).isEmpty();
    assertThat(moved.covers("t1")).isFalse();
    assertThat(taker(moved, "t3", "x-sidetrack-id", "ann")).contains("ann");
    assertThat(taker(moved, "t2", "x-sidetrack-id", "bob")).contains("bob");

    RecordRouting gone = moved.without("ann").without("bob");
    assertThat(gone.size()).isZero();
    assertThat(gone.topics()).isEmpty();
    // the old instance is unchanged
    assertThat(taker(r, "t1", "x-sidetrack-id", "ann")).contains("ann");
  }

  @Test
  void headerNamesAreThoseTheTopicsRoutesRead() {
    RecordRouting r =
        RecordRouting.empty()
            .with(route("ann", "ann", T0, "t1"))
            .with(
                new Route(
                    "reg",
                    "orders",
                    "reg",
                    MatchRules.header("X-Team", "pay"),
                    "router:8071",
                    T0,
                    FailureMode.FAIL_OPEN,
                    RouteSignature.NONE,
                    List.of("t1", "t2")));

    assertThat(r.headerNames("t1"))
        .containsExactlyInAnyOrder("x-sidetrack-id", "baggage", "x-team");
    assertThat(r.headerNames("t2")).containsExactly("x-team");
    assertThat(r.headerNames("t3")).isEmpty();
    assertThat(r.without("reg").headerNames("t1"))
        .containsExactlyInAnyOrder("x-sidetrack-id", "baggage");
    assertThat(r.without("reg").headerNames("t2")).isEmpty();
    assertThat(RecordRouting.compile(List.of(route("ann", "ann", T0, "t1"))).headerNames("t1"))
        .containsExactlyInAnyOrder("x-sidetrack-id", "baggage");
  }
}
