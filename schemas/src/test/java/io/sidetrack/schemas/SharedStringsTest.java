package io.sidetrack.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.routing.Route;
import io.sidetrack.core.trust.RouteSignature;
import io.sidetrack.schemas.avro.RouteEntry;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SharedStringsTest {

  @Test
  void equalStringsBecomeOneInstanceUpToCapacity() {
    SharedStrings shared = new SharedStrings(1);
    String a = shared.share("shop");
    assertThat(shared.share("shop")).isSameAs(a);
    String other = new String("orders");
    assertThat(shared.share(other)).as("pool full: itself").isSameAs(other);
    assertThat(shared.size()).isEqualTo(1);
    assertThat(shared.share(null)).isNull();
  }

  @Test
  void aRouteDecodedWithAKnownIdTakesThatInstanceOnlyWhenItIsTheEntrysId() {
    String known = new String("i-1");
    Route same = AvroMapping.toRoute(entry("i-1", "alice"), SharedStrings.NONE, known);
    Route other = AvroMapping.toRoute(entry("i-2", "alice"), SharedStrings.NONE, known);

    assertThat(same.interceptId()).isSameAs(known);
    assertThat(same).isEqualTo(AvroMapping.toRoute(entry("i-1", "alice")));
    assertThat(other.interceptId()).isEqualTo("i-2");
  }

  @Test
  void routesDecodedWithSharedStringsShareTheirRepeatedPartsAndEqualTheUnsharedForm() {
    SharedStrings shared = new SharedStrings(100);
    Route one = AvroMapping.toRoute(entry("i-1", "alice"), shared);
    Route two = AvroMapping.toRoute(entry("i-2", "bob"), shared);

    assertThat(one).isEqualTo(AvroMapping.toRoute(entry("i-1", "alice")));
    assertThat(two.workload()).isSameAs(one.workload());
    assertThat(two.target()).isSameAs(one.target());
    assertThat(two.signature().keyId()).isSameAs(one.signature().keyId());
    var g1 = one.match().anyOf().get(0);
    var g2 = two.match().anyOf().get(0);
    assertThat(g2.headers().get(0).name()).isSameAs(g1.headers().get(0).name());
    assertThat(g2.baggage().get(0).key()).isSameAs(g1.baggage().get(0).key());
    // a personal intercept's header and baggage value: one instance
    assertThat(g1.baggage().get(0).value()).isSameAs(g1.headers().get(0).value());
  }

  /** Decoded from its bytes, as a reader gets it: every string its own instance. */
  private static RouteEntry entry(String id, String developer) {
    try {
      // AvroSerde's initialiser lets Avro resolve our generated classes
      Class.forName(io.sidetrack.schemas.serde.AvroSerde.class.getName());
      return RouteEntry.fromByteBuffer(built(id, developer).toByteBuffer());
    } catch (java.io.IOException | ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  private static RouteEntry built(String id, String developer) {
    io.sidetrack.core.Intercept i =
        new io.sidetrack.core.Intercept(
            id,
            "shop",
            developer,
            io.sidetrack.core.MatchRules.personal(developer),
            "10.0.0.7:8070",
            Instant.parse("2026-12-01T00:00:00Z"),
            Instant.parse("2026-12-01T01:00:00Z"),
            io.sidetrack.core.FailureMode.FAIL_OPEN,
            java.util.Map.of(),
            new RouteSignature("k1", new byte[] {1, 2, 3}));
    return AvroMapping.toRouteEntry(i);
  }
}
