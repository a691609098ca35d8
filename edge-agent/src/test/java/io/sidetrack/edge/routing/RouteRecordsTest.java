package io.sidetrack.edge.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.routing.Route;
import io.sidetrack.edge.TestRouterKeys;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.InMemorySchemaRegistryClient;
import io.sidetrack.schemas.serde.AvroSerde;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** What a route record becomes: skimmed, decoded whole, checked; by when it is read. */
class RouteRecordsTest {
  private static final String TOPIC = "sidetrack.routes";
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00.123Z");

  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
  private final AvroSerde<RouteEntry> serde = AvroSerde.forValues(registry, RouteEntry.class);
  private final AtomicBoolean firstRead = new AtomicBoolean(true);
  private final RouteRecords records =
      new RouteRecords("orders", () -> serde, TestRouterKeys.TRUSTED, firstRead::get);

  private static Intercept intercept(String id, MatchRules match) {
    return TestRouterKeys.SIGNER.sign(
        new Intercept(
            id,
            "orders",
            "alice",
            match,
            "router:9000",
            T0,
            T0.plusSeconds(30),
            FailureMode.FAIL_OPEN,
            Map.of()));
  }

  private byte[] framed(Intercept i) {
    return serde.serialize(TOPIC, AvroMapping.toRouteEntry(i));
  }

  @Test
  void aFirstReadSkimsAnExactRouteAndDecodesItWholeWhenAsked() {
    byte[] bytes = framed(intercept("i-1", MatchRules.personal("alice")));

    CheckedRoute read = records.deserialize(TOPIC, bytes);

    assertThat(read.isDeferred()).isTrue();
    assertThat(read.skimmed().interceptId()).isEqualTo("i-1");
    assertThat(read.skimmed().match()).isEqualTo(MatchRules.personal("alice"));
    assertThat(read.skimmed().createdAt()).isEqualTo(T0);
    Route whole = read.whole().get();
    assertThat(whole).isEqualTo(AvroMapping.toRoute(serde.deserialize(TOPIC, bytes)));
    assertThat(TestRouterKeys.TRUSTED.verify(whole).isTrusted()).isTrue();
  }

  @Test
  void aFirstReadDecodesARouteThatIsNotExactWholeAndLeavesItsCheckForLater() {
    Intercept regex =
        intercept(
            "i-2",
            new MatchRules(
                List.of(HeaderMatch.regex("x-dev", "al.*")), List.of(), null, null, false));

    CheckedRoute read = records.deserialize(TOPIC, framed(regex));

    assertThat(read.isDeferred()).isFalse();
    assertThat(read.isChecked()).isFalse();
    assertThat(read.route().match()).isEqualTo(regex.match());
  }

  @Test
  void aRecordReadWhileTailingIsDecodedAndChecked() {
    firstRead.set(false);

    CheckedRoute read =
        records.deserialize(TOPIC, framed(intercept("i-3", MatchRules.personal("bob"))));

    assertThat(read.isDeferred()).isFalse();
    assertThat(read.isChecked()).isTrue();
    assertThat(read.verification().isTrusted()).isTrue();
  }

  @Test
  void aRecordOfAnotherWriterSchemaIsDecodedWholeNotSkimmed() throws Exception {
    // an older writer: RouteEntry before topics existed, registered as the topic's schema then
    Schema current = RouteEntry.getClassSchema();
    List<Schema.Field> fields =
        current.getFields().stream()
            .filter(f -> !f.name().equals("topics"))
            .map(f -> new Schema.Field(f, f.schema()))
            .toList();
    Schema older =
        Schema.createRecord(
            current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    int id = registry.register(TOPIC + "-old", older);
    RouteEntry entry = AvroMapping.toRouteEntry(intercept("i-4", MatchRules.personal("carol")));
    GenericData.Record record = new GenericData.Record(older);
    for (Schema.Field f : fields) {
      record.put(f.name(), GenericData.get().deepCopy(f.schema(), entry.get(f.name())));
    }
    record.put("createdAt", T0.toEpochMilli()); // the logical type as written
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(AvroSerde.MAGIC_BYTE);
    out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    new GenericDatumWriter<GenericData.Record>(older).write(record, encoder);
    encoder.flush();

    CheckedRoute read = records.deserialize(TOPIC, out.toByteArray());

    assertThat(read.isDeferred()).isFalse();
    assertThat(read.route().interceptId()).isEqualTo("i-4");
    assertThat(read.route().match()).isEqualTo(MatchRules.personal("carol"));
    assertThat(read.route().topics()).isEmpty();
  }

  @Test
  void aSkimmedRouteThatCannotBeDecodedWhenFirstNeededGivesNoRoute() {
    byte[] bytes = framed(intercept("i-5", MatchRules.personal("dave")));
    CheckedRoute read = records.deserialize(TOPIC, bytes);
    assertThat(read.isDeferred()).isTrue();
    // the bytes kept change under it: a writer schema id the registry does not know
    bytes[4] = 99;

    assertThat(read.whole().get()).isNull();
  }
}
