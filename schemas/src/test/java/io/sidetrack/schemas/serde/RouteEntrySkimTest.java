package io.sidetrack.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.routing.Route;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.RouteEntrySkim;
import io.sidetrack.schemas.SharedStrings;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.InMemorySchemaRegistryClient;
import io.sidetrack.testkit.Bounded;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/**
 * {@link RouteEntrySkim} reads what the serde and {@link AvroMapping} read, on random entries, and
 * refuses bad bytes with its one exception.
 */
class RouteEntrySkimTest {
  private static final AvroSerdeProperties.Topic ROUTES =
      AvroSerdeProperties.TOPICS.stream()
          .filter(t -> t.serde().schema().getName().equals("RouteEntry"))
          .findFirst()
          .orElseThrow();

  @Provide
  Arbitrary<byte[]> entries() {
    return AvroSerdeProperties.valueOf(ROUTES.serde().schema())
        .map(v -> AvroSerdeProperties.framed(ROUTES, v));
  }

  /** The route the serde and the mapping read, or null when either refuses the entry. */
  private static Route whole(byte[] framed) {
    try {
      RouteEntry e = (RouteEntry) ROUTES.serde().deserialize(ROUTES.name(), framed);
      return AvroMapping.toRoute(e, new SharedStrings(64));
    } catch (RuntimeException refused) {
      return null;
    }
  }

  /**
   * What the skim makes of {@code framed}: the skim, or its refusal; fails unless it agrees with
   * the whole decode wherever that decodes.
   */
  private static Object skimAgreeing(byte[] framed) {
    Route route = whole(framed);
    try {
      RouteEntrySkim.Skimmed skimmed = RouteEntrySkim.skim(framed, new SharedStrings(64));
      if (route != null) {
        assertThat(skimmed.interceptId()).isEqualTo(route.interceptId());
        assertThat(skimmed.match()).isEqualTo(route.match());
        assertThat(skimmed.createdAt()).isEqualTo(route.createdAt());
      }
      return skimmed;
    } catch (IllegalArgumentException refused) {
      // what the skim refuses the whole decode refuses too
      assertThat(route).as("decoded whole though the skim refused: %s", refused).isNull();
      return refused;
    }
  }

  @Property(seed = "2711", tries = 2000)
  void aSkimReadsTheIdMatchAndTimeTheWholeDecodeReads(@ForAll("entries") byte[] framed) {
    assertThat(skimAgreeing(framed)).isInstanceOf(RouteEntrySkim.Skimmed.class);
  }

  @Property(seed = "2712")
  void mutatedEntriesAreSkimmedAsDecodedOrRefusedWithItsOneException(
      @ForAll("entries") byte[] framed,
      @ForAll @Size(min = 1, max = 3) List<@IntRange(min = 0, max = 100_000) Integer> at,
      @ForAll @Size(min = 1, max = 3) List<@IntRange(min = -300, max = 300) Integer> with)
      throws Exception {
    byte[] bytes = framed.clone();
    for (int i = 0; i < at.size() && i < with.size(); i++) {
      int pos = 5 + at.get(i) % Math.max(1, bytes.length - 5);
      byte[] lie = AvroSerdeProperties.varint(with.get(i) * 1_000_003L);
      byte[] mutated = new byte[Math.max(bytes.length, pos + lie.length)];
      System.arraycopy(bytes, 0, mutated, 0, bytes.length);
      System.arraycopy(lie, 0, mutated, pos, lie.length);
      bytes = mutated;
    }
    byte[] input = bytes;
    Bounded.call(() -> skimAgreeing(input));
  }

  @Property(seed = "2713")
  void arbitraryBytesAreSkimmedAsDecodedOrRefused(
      @ForAll @Size(max = 64) List<@IntRange(min = 0, max = 255) Integer> body) throws Exception {
    byte[] bytes = new byte[5 + body.size()];
    bytes[4] = (byte) ROUTES.id();
    for (int i = 0; i < body.size(); i++) {
      bytes[5 + i] = (byte) (int) body.get(i);
    }
    Bounded.call(() -> skimAgreeing(bytes));
  }

  @Test
  void arraysWrittenInBlocksWithTheirSizesAreSkimmedToo() throws Exception {
    // Avro's blocking encoder writes an array as blocks of a negative count and a byte size
    RouteEntry entry =
        AvroMapping.toRouteEntry(
            new io.sidetrack.core.Intercept(
                "i-9",
                "orders",
                "alice",
                MatchRules.personal("alice"),
                "router:9000",
                Instant.parse("2026-12-07T10:00:00Z"),
                Instant.parse("2026-12-07T10:01:00Z"),
                FailureMode.FAIL_OPEN,
                java.util.Map.of()));
    byte[] framed = framedWith(entry, true);
    // negative counts are there: the bytes are not those of the direct encoder
    assertThat(framed).isNotEqualTo(framedWith(entry, false));

    assertThat(skimAgreeing(framed)).isInstanceOf(RouteEntrySkim.Skimmed.class);
  }

  private static byte[] framedWith(RouteEntry entry, boolean blocking) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(AvroSerde.MAGIC_BYTE);
    out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(ROUTES.id()).array());
    org.apache.avro.io.BinaryEncoder encoder =
        blocking
            ? org.apache.avro.io.EncoderFactory.get().blockingBinaryEncoder(out, null)
            : org.apache.avro.io.EncoderFactory.get().directBinaryEncoder(out, null);
    new org.apache.avro.specific.SpecificDatumWriter<RouteEntry>(RouteEntry.class)
        .write(entry, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  @Test
  void aPersonalInterceptsEntryIsSkimmedAsItIsDecoded() {
    var serde = AvroSerde.forValues(new InMemorySchemaRegistryClient(), RouteEntry.class);
    Route route =
        new Route(
            "i-1",
            "orders",
            "alice",
            MatchRules.personal("alice"),
            "router:9000",
            Instant.parse("2026-12-07T10:00:00.123Z"),
            FailureMode.FAIL_CLOSED);
    byte[] framed =
        serde.serialize(
            "sidetrack.routes",
            AvroMapping.toRouteEntry(
                new io.sidetrack.core.Intercept(
                    route.interceptId(),
                    route.workload(),
                    route.owner(),
                    route.match(),
                    route.target(),
                    route.createdAt(),
                    route.createdAt().plusSeconds(30),
                    route.failureMode(),
                    java.util.Map.of())));

    RouteEntrySkim.Skimmed skimmed = RouteEntrySkim.skim(framed, SharedStrings.NONE);

    assertThat(skimmed)
        .isEqualTo(new RouteEntrySkim.Skimmed("i-1", route.match(), route.createdAt()));
    assertThat(RouteEntrySkim.reads(serde.writerSchema("sidetrack.routes", framed))).isTrue();
    assertThatThrownBy(() -> RouteEntrySkim.skim(java.util.Arrays.copyOf(framed, 20), null))
        .isInstanceOf(IllegalArgumentException.class);
    // bytes after the last field are left alone, as Avro's decoder leaves them
    byte[] longer = java.util.Arrays.copyOf(framed, framed.length + 1);
    assertThat(RouteEntrySkim.skim(longer, SharedStrings.NONE)).isEqualTo(skimmed);
  }

  @Test
  void itReadsOnlyTheSchemaOfThisBuild() throws Exception {
    assertThat(RouteEntrySkim.reads(RouteEntry.getClassSchema())).isTrue();
    // an older writer's entries are decoded whole
    for (String older :
        List.of(
            "/schemas-before-any-of/RouteEntry-v1.avsc",
            "/schemas-before-topics/RouteEntry-v2.avsc")) {
      try (InputStream in = getClass().getResourceAsStream(older)) {
        assertThat(RouteEntrySkim.reads(new Schema.Parser().parse(in))).as(older).isFalse();
      }
    }
    assertThat(SchemaNormalization.parsingFingerprint64(RouteEntry.getClassSchema()))
        .as(
            "RouteEntrySkim reads RouteEntry's binary layout field by field: when RouteEntry.avsc"
                + " changes, change the skim to read the new layout, then this number")
        .isEqualTo(RouteEntrySkimTest.FINGERPRINT);
  }

  private static final long FINGERPRINT = 4454346642854103568L;
}
