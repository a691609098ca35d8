package io.sidetrack.core.routing;

import static io.sidetrack.core.routing.RouteTableTest.route;
import static io.sidetrack.core.routing.RouteTableTest.rules;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidetrack.core.HeaderMatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTableBuilderTest {

  private static String routed(RouteTable table, TestRequest request) {
    return table.routeFor(request).map(m -> m.route().interceptId()).orElse("app");
  }

  @Test
  void aLaterRouteOfAnInterceptReplacesTheEarlierAndARemovedOneIsGone() {
    RouteTable table =
        RouteTable.builder(4)
            .put(route("a", rules(List.of(HeaderMatch.exact("x-id", "old")), null), 10))
            .put(route("a", rules(List.of(HeaderMatch.exact("x-id", "new")), null), 10))
            .put(route("b", rules(List.of(HeaderMatch.exact("x-id", "bob")), null), 5))
            .remove("b")
            .build();

    assertThat(table.size()).isEqualTo(1);
    assertThat(routed(table, TestRequest.get("/").header("x-id", "new"))).isEqualTo("a");
    assertThat(routed(table, TestRequest.get("/").header("x-id", "old"))).isEqualTo("app");
    assertThat(routed(table, TestRequest.get("/").header("x-id", "bob"))).isEqualTo("app");
  }

  @Test
  void aRouteThatCannotBeCompiledChangesNothing() {
    RouteTableBuilder builder =
        RouteTable.builder(2)
            .put(route("a", rules(List.of(HeaderMatch.regex("x-id", "al.*")), null), 10));

    assertThatThrownBy(
            () -> builder.put(route("a", rules(List.of(HeaderMatch.regex("x-id", "(")), null), 1)))
        .isInstanceOf(RuntimeException.class);

    RouteTable table = builder.build();
    assertThat(routed(table, TestRequest.get("/").header("x-id", "alice"))).isEqualTo("a");
  }

  @Test
  void manyRoutesUnderOneValueAreFoundOldestFirstAsWhenCompiled() {
    List<Route> routes = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      // one header value, each route its own path: the older of those that match takes it
      routes.add(
          route(
              "r" + i,
              rules(List.of(HeaderMatch.exact("x-id", "v")), "/p" + i),
              (i * 7919) % 1000));
    }
    RouteTableBuilder builder = RouteTable.builder(routes.size());
    routes.forEach(builder::put);
    RouteTable built = builder.build();
    RouteTable compiled = RouteTable.compile(routes);

    for (int i = 0; i < 1_000; i += 37) {
      TestRequest request = TestRequest.get("/p" + i + "/x").header("x-id", "v");
      assertThat(routed(built, request)).isEqualTo(routed(compiled, request));
    }
    // "/p1999" starts with "/p1", "/p19" and "/p199": the oldest of those three routes wins
    Route oldest =
        routes.stream()
            .filter(r -> "/p1999".startsWith(r.match().pathPrefix()))
            .min(java.util.Comparator.comparing(Route::createdAt))
            .orElseThrow();
    assertThat(oldest.interceptId()).isIn("r1", "r19", "r199");
    assertThat(routed(built, TestRequest.get("/p1999").header("x-id", "v")))
        .isEqualTo(oldest.interceptId());
    assertThat(built.size()).isEqualTo(1_000);
  }

  @Test
  void aBuilderIsNotUsedAfterItsTableIsBuilt() {
    RouteTableBuilder builder = RouteTable.builder(0);
    builder.build();
    assertThatThrownBy(() -> builder.put(route("a", rules(List.of(), "/a"), 1)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aDeferredRouteIsDecodedOnceWhenFirstNeededAndOneThatDoesNotDecodeMatchesNothing() {
    Route alice = route("a", rules(List.of(HeaderMatch.exact("x-id", "alice")), null), 10);
    Route bob = route("b", rules(List.of(HeaderMatch.exact("x-id", "bob")), null), 5);
    Route carol = route("c", rules(List.of(HeaderMatch.exact("x-id", "carol")), null), 7);
    java.util.concurrent.atomic.AtomicInteger decodes =
        new java.util.concurrent.atomic.AtomicInteger();
    List<String> broken = new java.util.concurrent.CopyOnWriteArrayList<>();
    RouteTable table =
        RouteTable.builder(3)
            .whenBroken(broken::add)
            .putDeferred(
                "a",
                alice.createdAt(),
                alice.match(),
                () -> {
                  decodes.incrementAndGet();
                  return alice;
                })
            // its source fails: as if its bytes were corrupt
            .putDeferred(
                "b",
                bob.createdAt(),
                bob.match(),
                () -> {
                  throw new IllegalStateException("corrupt");
                })
            // it decodes to another route than it was indexed as
            .putDeferred("c", carol.createdAt(), carol.match(), () -> alice)
            .build();

    assertThat(table.size()).isEqualTo(3);
    assertThat(decodes).hasValue(0);
    assertThat(routed(table, TestRequest.get("/").header("x-id", "alice"))).isEqualTo("a");
    assertThat(routed(table, TestRequest.get("/").header("x-id", "alice"))).isEqualTo("a");
    assertThat(table.route("a")).containsSame(alice);
    assertThat(decodes).hasValue(1);
    assertThat(routed(table, TestRequest.get("/").header("x-id", "bob"))).isEqualTo("app");
    assertThat(table.route("b")).isEmpty();
    assertThat(routed(table, TestRequest.get("/").header("x-id", "carol"))).isEqualTo("app");
    assertThat(table.route("c")).isEmpty();
    // told once each, however often they were needed
    assertThat(routed(table, TestRequest.get("/").header("x-id", "bob"))).isEqualTo("app");
    assertThat(broken).containsExactlyInAnyOrder("b", "c");
  }

  @Test
  void aDeferredRouteWhoseDecodedFormCannotBeCompiledIsBrokenNotThrown() {
    // indexed as an exact route without regexes, it decodes to one with a regex RE2 refuses: the
    // request that needed it goes on to the app, and the failure never reaches it
    Route indexed = route("a", rules(List.of(HeaderMatch.exact("x-id", "alice")), null), 10);
    Route decoded =
        route(
            "a",
            rules(List.of(HeaderMatch.exact("x-id", "alice"), HeaderMatch.regex("x-v", "(")), null),
            10);
    List<String> broken = new ArrayList<>();
    RouteTable table =
        RouteTable.builder(1)
            .whenBroken(broken::add)
            .putDeferred("a", indexed.createdAt(), indexed.match(), () -> decoded)
            .build();

    assertThat(routed(table, TestRequest.get("/").header("x-id", "alice").header("x-v", "1")))
        .isEqualTo("app");
    assertThat(table.route("a")).isEmpty();
    assertThat(broken).containsExactly("a");
  }

  @Test
  void onlyAnExactRouteWithoutRegexesCanBeDeferred() {
    Route regex = route("r", rules(List.of(HeaderMatch.regex("x-id", "al.*")), null), 10);
    Route exactAndRegex =
        route(
            "e",
            rules(List.of(HeaderMatch.exact("x-id", "al"), HeaderMatch.regex("x-v", "1.*")), null),
            10);
    assertThat(RouteTableBuilder.canDefer(exactAndRegex.match())).isFalse();
    assertThat(RouteTableBuilder.canDefer(rules(List.of(HeaderMatch.exact("x-id", "al")), "/p")))
        .isTrue();
    assertThat(RouteTableBuilder.canDefer(regex.match())).isFalse();
    assertThatThrownBy(
            () ->
                RouteTable.builder(1)
                    .putDeferred("r", regex.createdAt(), regex.match(), () -> regex))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void threadsRacingToDecodeADeferredRouteAllGetTheSameRoute() throws Exception {
    Route alice = route("a", rules(List.of(HeaderMatch.exact("x-id", "alice")), null), 10);
    java.util.concurrent.CountDownLatch together = new java.util.concurrent.CountDownLatch(4);
    RouteTable table =
        RouteTable.builder(1)
            .putDeferred(
                "a",
                alice.createdAt(),
                alice.match(),
                () -> {
                  together.countDown();
                  try {
                    together.await(2, java.util.concurrent.TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  // a new instance each call, as decoding bytes gives
                  return route("a", rules(List.of(HeaderMatch.exact("x-id", "alice")), null), 10);
                })
            .build();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<Route>> got = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        got.add(pool.submit(() -> table.route("a").orElseThrow()));
      }
      Route first = got.get(0).get();
      for (java.util.concurrent.Future<Route> f : got) {
        assertThat(f.get()).isSameAs(first);
      }
      assertThat(table.route("a")).containsSame(first);
    } finally {
      pool.shutdownNow();
    }
  }
}
