package io.sidetrack.edge.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.trust.RouteStatement;
import io.sidetrack.edge.TestRouterKeys;
import io.sidetrack.feed.FeedRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The route table's fold, record by record, as the reader drives it. */
class RouteTableKeeperTest {
  private static final TopicPartition P0 = new TopicPartition("routes", 0);
  private static final TopicPartition P3 = new TopicPartition("routes", 3);

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final RouteTableKeeper keeper =
      new RouteTableKeeper(
          "shop",
          meters.counter("changes"),
          meters.counter("undecodable"),
          meters.counter("rejected"),
          new RouteTrust("shop", TestRouterKeys.TRUSTED, new RouteRefusals("shop", meters)));

  @Test
  void tableReadToTheEndIsPublishedOnlyOnceCaughtUp() {
    keeper.assigned(Set.of(P0), Set.of());
    keeper.apply(record(0, "i-1", route("i-1", "alice")));
    keeper.afterBatch(Map.of(P0, 1L));
    assertThat(keeper.current().size()).isZero();

    keeper.caughtUp(Map.of(P0, 1L));

    assertThat(keeper.current().route("i-1")).isPresent();
    assertThat(keeper.appliedOffset()).isEqualTo(1);
  }

  @Test
  void routeThatCannotCompileWhileLoadingThrowsAndTheRestLoads() {
    keeper.assigned(Set.of(P0), Set.of());
    keeper.apply(record(0, "i-1", route("i-1", "alice")));
    // compiled as it is read: the reader skips it (and reports it through skipped)
    assertThatThrownBy(() -> keeper.apply(record(1, "i-2", regex("i-2", "("))))
        .isInstanceOf(RuntimeException.class);
    keeper.apply(record(2, "i-3", route("i-3", "bob")));
    keeper.caughtUp(Map.of(P0, 3L));

    assertThat(keeper.current().size()).isEqualTo(2);
    assertThat(keeper.current().route("i-2")).isEmpty();
  }

  @Test
  void routeThatCannotCompileWhileTailingThrowsAndLeavesTheTable() {
    keeper.assigned(Set.of(P0), Set.of());
    keeper.caughtUp(Map.of(P0, 0L));
    keeper.apply(record(0, "i-1", route("i-1", "alice")));

    assertThatThrownBy(() -> keeper.apply(record(1, "i-2", regex("i-2", "("))))
        .isInstanceOf(RuntimeException.class);
    keeper.afterBatch(Map.of(P0, 2L));

    assertThat(keeper.current().size()).isEqualTo(1);
    assertThat(keeper.appliedOffset()).isEqualTo(2);
  }

  @Test
  void newPartitionReplacesTheTableOnlyOnceReadToItsEnd() {
    keeper.assigned(Set.of(P0), Set.of());
    keeper.apply(record(0, "i-1", route("i-1", "alice")));
    keeper.caughtUp(Map.of(P0, 1L));

    keeper.assigned(Set.of(P3), Set.of(P0));
    assertThat(keeper.partition()).isEqualTo(3);
    assertThat(keeper.appliedOffset()).isZero();
    keeper.apply(
        new FeedRecord<>("routes", 3, 0, "shop/i-2", checked(signed(route("i-2", "bob")))));
    keeper.afterBatch(Map.of(P3, 1L));
    assertThat(keeper.current().route("i-1")).as("still the old table").isPresent();

    keeper.caughtUp(Map.of(P3, 1L));
    assertThat(keeper.current().route("i-1")).isEmpty();
    assertThat(keeper.current().route("i-2")).isPresent();
    assertThat(keeper.appliedOffset()).isEqualTo(1);
  }

  private static FeedRecord<String, CheckedRoute> record(long offset, String id, Route route) {
    return new FeedRecord<>("routes", 0, offset, "shop/" + id, checked(signed(route)));
  }

  private static CheckedRoute checked(Route route) {
    return CheckedRoute.checked(route, TestRouterKeys.TRUSTED);
  }

  private static Route signed(Route r) {
    return new Route(
        r.interceptId(),
        r.workload(),
        r.owner(),
        r.match(),
        r.target(),
        r.createdAt(),
        r.failureMode(),
        TestRouterKeys.SIGNER.sign(RouteStatement.of(r)));
  }

  @Test
  void aRefusedRouteLeavesWhatWasThereAndIsCountedByReason() {
    keeper.assigned(Set.of(P0), Set.of());
    keeper.caughtUp(Map.of(P0, 0L));
    keeper.apply(record(0, "i-1", route("i-1", "alice")));
    Route forged =
        new Route(
            "i-1",
            "shop",
            "alice",
            MatchRules.header("x-dev", "alice"),
            "127.0.0.1:19999",
            Instant.now(),
            FailureMode.FAIL_OPEN);
    keeper.apply(new FeedRecord<>("routes", 0, 1, "shop/i-1", checked(forged)));
    keeper.apply(new FeedRecord<>("routes", 0, 2, "shop/i-1", checked(forged)));
    keeper.afterBatch(Map.of(P0, 3L));

    assertThat(keeper.current().route("i-1").orElseThrow().target()).isEqualTo("127.0.0.1:9");
    assertThat(
            meters
                .get("sidetrack.agent.routes.refused")
                .tag("reason", "unsigned")
                .counter()
                .count())
        .isEqualTo(2.0);
    assertThat(keeper.appliedOffset()).isEqualTo(3);
  }

  @Test
  void routesOfAFirstReadAreAppliedUncheckedAndCheckedBeforeUse() {
    keeper.assigned(Set.of(P0), Set.of());
    assertThat(keeper.firstRead()).isTrue();
    Route good = signed(route("i-1", "alice"));
    Route forged = forged("i-2", "mallory");
    keeper.apply(unchecked(0, "i-1", good));
    keeper.apply(unchecked(1, "i-2", forged));
    keeper.caughtUp(Map.of(P0, 2L));

    assertThat(keeper.firstRead()).isFalse();
    assertThat(keeper.current().size()).as("applied before any check").isEqualTo(2);
    assertThat(keeper.trusted(keeper.current().route("i-1").orElseThrow())).isTrue();
    assertThat(keeper.trusted(keeper.current().route("i-2").orElseThrow())).isFalse();
    assertThat(keeper.trusted(keeper.current().route("i-2").orElseThrow()))
        .as("refused once, answered from memory")
        .isFalse();
    assertThat(refusedCount("unsigned")).isEqualTo(1.0);
  }

  @Test
  void aRouteOfAFirstReadFoundUntrustedIsTakenOutOfTheTableAfterTheNextPoll() {
    keeper.assigned(Set.of(P0), Set.of());
    Route good = signed(route("i-1", "alice"));
    Route forged = forged("i-2", "mallory");
    keeper.apply(unchecked(0, "i-1", good));
    keeper.apply(unchecked(1, "i-2", forged));
    keeper.caughtUp(Map.of(P0, 2L));
    assertThat(keeper.trusted(keeper.current().route("i-2").orElseThrow())).isFalse();
    assertThat(keeper.current().route("i-2")).as("until the reader's next poll").isPresent();

    keeper.afterBatch(Map.of(P0, 2L));

    assertThat(keeper.current().route("i-2")).isEmpty();
    assertThat(keeper.current().route("i-1")).contains(good);
    assertThat(refusedCount("unsigned")).isEqualTo(1.0);
  }

  @Test
  void aRefusedRouteReplacedByATrustedOneBeforeThePollStays() {
    keeper.assigned(Set.of(P0), Set.of());
    keeper.apply(unchecked(0, "i-2", forged("i-2", "mallory")));
    keeper.caughtUp(Map.of(P0, 1L));
    assertThat(keeper.trusted(keeper.current().route("i-2").orElseThrow())).isFalse();

    keeper.apply(record(1, "i-2", route("i-2", "mallory")));
    keeper.afterBatch(Map.of(P0, 2L));

    Route now = keeper.current().route("i-2").orElseThrow();
    assertThat(keeper.trusted(now)).isTrue();
  }

  @Test
  void routeDecodedUncheckedButAppliedWhileTailingIsCheckedBeforeItIsApplied() {
    keeper.assigned(Set.of(P0), Set.of());
    keeper.apply(record(0, "i-1", route("i-1", "alice")));
    keeper.caughtUp(Map.of(P0, 1L));

    keeper.apply(unchecked(1, "i-1", forged("i-1", "alice")));
    keeper.afterBatch(Map.of(P0, 2L));

    assertThat(keeper.current().route("i-1").orElseThrow().target()).isEqualTo("127.0.0.1:9");
    assertThat(refusedCount("unsigned")).isEqualTo(1.0);
  }

  @Test
  void tombstoneForgetsWhatWasCheckedOfItsId() {
    keeper.assigned(Set.of(P0), Set.of());
    keeper.apply(unchecked(0, "i-2", forged("i-2", "mallory")));
    keeper.caughtUp(Map.of(P0, 1L));
    assertThat(keeper.trusted(keeper.current().route("i-2").orElseThrow())).isFalse();

    keeper.apply(new FeedRecord<>("routes", 0, 1, "shop/i-2", null));
    Route good = signed(route("i-2", "mallory"));
    keeper.apply(
        new FeedRecord<>(
            "routes", 0, 2, "shop/i-2", CheckedRoute.checked(good, TestRouterKeys.TRUSTED)));
    keeper.afterBatch(Map.of(P0, 3L));

    assertThat(keeper.current().route("i-2")).contains(good);
    assertThat(keeper.trusted(good)).isTrue();
  }

  private double refusedCount(String reason) {
    return meters.get("sidetrack.agent.routes.refused").tag("reason", reason).counter().count();
  }

  @Test
  void aSkimmedRouteOfAFirstReadIsDecodedWhenFirstNeededAndOneThatCannotBeIsCountedOnce() {
    Route alice = signed(route("i-1", "alice"));
    Route bob = signed(route("i-2", "bob"));
    java.util.concurrent.atomic.AtomicInteger decodes =
        new java.util.concurrent.atomic.AtomicInteger();
    keeper.assigned(Set.of(P0), Set.of());
    keeper.apply(
        skimmed(
            0,
            alice,
            () -> {
              decodes.incrementAndGet();
              // a new instance per decode, as decoding bytes gives
              return signed(route("i-1", "alice", alice.createdAt()));
            }));
    keeper.apply(skimmed(1, bob, () -> null));
    keeper.caughtUp(Map.of(P0, 2L));

    // indexed, not decoded (the background signature check, started now, may get there first)
    assertThat(keeper.current().size()).isEqualTo(2);
    Route decoded = keeper.current().route("i-1").orElseThrow();
    assertThat(decoded).isEqualTo(alice);
    assertThat(keeper.current().route("i-1")).containsSame(decoded);
    assertThat(keeper.trusted(decoded)).isTrue();
    assertThat(keeper.current().route("i-2")).isEmpty();
    assertThat(keeper.current().route("i-2")).isEmpty();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> meters.counter("undecodable").count() == 1.0);
    // threads racing to it may each decode it; one instance is kept
    assertThat(decodes.get()).isBetween(1, 2);
    assertThat(keeper.current().route("i-1")).containsSame(decoded);
    assertThat(meters.counter("undecodable").count()).isEqualTo(1.0);
  }

  @Test
  void aSkimmedRecordAppliedAfterTheFirstReadIsDecodedAndCheckedAsAnyChange() {
    keeper.assigned(Set.of(P0), Set.of());
    keeper.caughtUp(Map.of(P0, 0L));
    Route alice = signed(route("i-1", "alice"));
    Route mallory = forged("i-2", "victim");

    // skimmed while the first read was still running, applied once it had ended
    keeper.apply(skimmed(0, alice, () -> alice));
    keeper.apply(skimmed(1, mallory, () -> mallory));
    keeper.apply(skimmed(2, signed(route("i-3", "carol")), () -> null));
    keeper.afterBatch(Map.of(P0, 3L));

    assertThat(keeper.current().route("i-1")).containsSame(alice);
    assertThat(keeper.current().route("i-2")).isEmpty();
    assertThat(refusedCount("unsigned")).isEqualTo(1.0);
    assertThat(keeper.current().route("i-3")).isEmpty();
    assertThat(meters.counter("undecodable").count()).isEqualTo(1.0);
    assertThat(meters.counter("rejected").count()).isZero();
  }

  private static FeedRecord<String, CheckedRoute> skimmed(
      long offset, Route route, java.util.function.Supplier<Route> whole) {
    return new FeedRecord<>(
        "routes",
        0,
        offset,
        "shop/" + route.interceptId(),
        CheckedRoute.deferred(
            new io.sidetrack.schemas.RouteEntrySkim.Skimmed(
                route.interceptId(), route.match(), route.createdAt()),
            whole,
            TestRouterKeys.TRUSTED));
  }

  private static FeedRecord<String, CheckedRoute> unchecked(long offset, String id, Route route) {
    return new FeedRecord<>(
        "routes", 0, offset, "shop/" + id, CheckedRoute.unchecked(route, TestRouterKeys.TRUSTED));
  }

  private static Route forged(String id, String user) {
    return new Route(
        id,
        "shop",
        user,
        MatchRules.header("x-dev", user),
        "127.0.0.1:19999",
        Instant.now(),
        FailureMode.FAIL_OPEN);
  }

  private static Route route(String id, String user) {
    return route(id, user, Instant.now());
  }

  private static Route route(String id, String user, Instant createdAt) {
    return new Route(
        id,
        "shop",
        user,
        MatchRules.header("x-dev", user),
        "127.0.0.1:9",
        createdAt,
        FailureMode.FAIL_OPEN);
  }

  private static Route regex(String id, String regex) {
    return new Route(
        id,
        "shop",
        "alice",
        new MatchRules(List.of(HeaderMatch.regex("x-dev", regex)), List.of(), null, null, false),
        "127.0.0.1:9",
        Instant.now(),
        FailureMode.FAIL_OPEN);
  }
}
