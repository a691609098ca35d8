package io.sidetrack.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.Topics;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.avro.AuditKind;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.stream.internal.RegistrationIndexer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class RegistryTopologyTest extends TopologyFixture {

  @Test
  void acceptedRegistrationPublishesRouteAndCreatedEvent() {
    register(intercept("i-1", "alice", MatchRules.header("x-sidetrack-id", "alice")));

    TestRecord<String, RouteEntry> route = routes.readRecord();
    assertThat(route.key()).isEqualTo("orders/i-1");
    assertThat(route.value().getTarget()).isEqualTo("router-1:9000");
    assertThat(route.value().getMatch().getHeaders().get(0).getValue()).isEqualTo("alice");
    AuditEvent event = audit.readValue();
    assertThat(event.getKind()).isEqualTo(AuditKind.CREATED);
    assertThat(event.getActor()).isEqualTo("alice");
    assertThat(event.getAfter().getId()).isEqualTo("i-1");
    assertThat(routes.isEmpty()).isTrue();
    assertThat(audit.isEmpty()).isTrue();
  }

  @Test
  void leaseRenewalPublishesNothing() {
    Intercept first = intercept("i-1", "alice", MatchRules.header("x-sidetrack-id", "alice"));
    register(first);
    routes.readRecordsToList();
    audit.readRecordsToList();

    register(first.withExpiresAt(T0.plusSeconds(20)));

    assertThat(routes.isEmpty()).isTrue();
    assertThat(audit.isEmpty()).isTrue();
    assertThat(counter("sidetrack.registry.decisions", "outcome", "renewed")).isEqualTo(1.0);
  }

  @Test
  void ownerReRegisteringItsIdWithNewRulesIsAnUpdate() {
    register(intercept("i-1", "alice", MatchRules.header("x-sidetrack-id", "alice")));
    routes.readRecordsToList();
    audit.readRecordsToList();

    register(intercept("i-1", "alice", MatchRules.header("x-sidetrack-id", "alice-2")));

    assertThat(routes.readValue().getMatch().getHeaders().get(0).getValue()).isEqualTo("alice-2");
    AuditEvent event = audit.readValue();
    assertThat(event.getKind()).isEqualTo(AuditKind.UPDATED);
    assertThat(event.getBefore().getMatch().getHeaders().get(0).getValue()).isEqualTo("alice");
    assertThat(event.getAfter().getMatch().getHeaders().get(0).getValue()).isEqualTo("alice-2");
  }

  @Test
  void sameMatchFromAnotherInterceptIsRejectedNamingTheHolder() {
    register(intercept("i-1", "alice", MatchRules.header("x-sidetrack-id", "shared")));
    routes.readRecordsToList();
    audit.readRecordsToList();

    register(intercept("i-2", "bob", MatchRules.header("X-Sidetrack-Id", "shared")));

    assertThat(routes.isEmpty()).isTrue();
    AuditEvent event = audit.readValue();
    assertThat(event.getKind()).isEqualTo(AuditKind.REJECTED);
    assertThat(event.getReason()).contains("i-1").contains("alice");
    assertThat(counter("sidetrack.registry.rejections", "reason", "conflict")).isEqualTo(1.0);
  }

  @Test
  void twoGlobalInterceptsConflict() {
    register(intercept("g-1", "alice", MatchRules.globalRules()));
    register(intercept("g-2", "bob", MatchRules.globalRules()));

    List<AuditEvent> events = audit.readValuesToList();
    assertThat(events)
        .extracting(AuditEvent::getKind)
        .containsExactly(AuditKind.CREATED, AuditKind.REJECTED);
    assertThat(events.get(1).getReason()).contains("global").contains("g-1");
    assertThat(routes.readRecordsToList()).hasSize(1);
  }

  @Test
  void personalInterceptIsRoutedWithItsGroupAndConflictsWithTheSameGroupInAnyOrder() {
    register(intercept("i-alice", "alice", MatchRules.personal("alice")));
    // the same group, its alternatives written the other way round
    register(
        intercept(
            "i-bob",
            "bob",
            new MatchRules(
                List.of(),
                List.of(),
                null,
                null,
                false,
                List.of(
                    new io.sidetrack.core.AnyOf(
                        List.of(HeaderMatch.exact("x-sidetrack-id", "alice")),
                        List.of(new io.sidetrack.core.BaggageMatch("sidetrack-id", "alice")))))));

    List<RouteEntry> published = routes.readValuesToList();
    assertThat(published).hasSize(1);
    assertThat(AvroMapping.toRoute(published.get(0)).match())
        .isEqualTo(MatchRules.personal("alice"));
    List<AuditEvent> events = audit.readValuesToList();
    assertThat(events)
        .extracting(AuditEvent::getKind)
        .containsExactly(AuditKind.CREATED, AuditKind.REJECTED);
    assertThat(events.get(1).getReason()).contains("conflicts with intercept i-alice of alice");
  }

  @Test
  void anEmptyAnyOfGroupIsRejected() {
    register(
        intercept(
            "i-empty",
            "alice",
            new MatchRules(
                List.of(),
                List.of(),
                null,
                null,
                false,
                List.of(new io.sidetrack.core.AnyOf(List.of(), List.of())))));

    AuditEvent event = audit.readValue();
    assertThat(event.getKind()).isEqualTo(AuditKind.REJECTED);
    assertThat(event.getReason()).startsWith("empty any-of group");
    assertThat(routes.isEmpty()).isTrue();
  }

  @Test
  void anotherOwnerCannotTakeOverAnActiveId() {
    register(intercept("i-1", "alice", MatchRules.header("x-sidetrack-id", "alice")));
    audit.readRecordsToList();
    routes.readRecordsToList();

    register(intercept("i-1", "mallory", MatchRules.header("x-sidetrack-id", "mallory")));

    AuditEvent event = audit.readValue();
    assertThat(event.getKind()).isEqualTo(AuditKind.REJECTED);
    assertThat(event.getReason()).contains("belongs to alice");
    assertThat(routes.isEmpty()).isTrue();
  }

  @Test
  void invalidRulesAreRejectedWithAClearReason() {
    register(
        intercept(
            "i-1",
            "alice",
            new MatchRules(
                List.of(HeaderMatch.regex("x-sidetrack-id", "(unclosed")),
                List.of(),
                null,
                null,
                false)));
    register(intercept("i-2", "alice", MatchRules.header("bad header", "v")));
    register(
        intercept("i-3", "alice", new MatchRules(List.of(), List.of(), "no-slash", null, false)));

    List<String> reasons = audit.readValuesToList().stream().map(AuditEvent::getReason).toList();
    assertThat(reasons).hasSize(3);
    assertThat(reasons.get(0)).startsWith("invalid regex for header x-sidetrack-id");
    assertThat(reasons.get(1)).startsWith("invalid header name 'bad header'");
    assertThat(reasons.get(2)).startsWith("invalid path prefix 'no-slash'");
    assertThat(routes.isEmpty()).isTrue();
  }

  @Test
  void badUpdateKeepsTheActiveInterceptRouting() {
    register(intercept("i-1", "alice", MatchRules.header("x-sidetrack-id", "alice")));
    routes.readRecordsToList();
    audit.readRecordsToList();

    register(
        intercept(
            "i-1",
            "alice",
            new MatchRules(
                List.of(HeaderMatch.regex("x-sidetrack-id", "[")), List.of(), null, null, false)));

    assertThat(audit.readValue().getKind()).isEqualTo(AuditKind.REJECTED);
    assertThat(routes.isEmpty()).isTrue();
    // still holding its match: a second intercept with it conflicts
    register(intercept("i-2", "bob", MatchRules.header("x-sidetrack-id", "alice")));
    assertThat(audit.readValue().getReason()).contains("i-1");
  }

  @Test
  void leaseThatIsNotRenewedExpiresOnWallClock() {
    register(intercept("i-1", "alice", MatchRules.header("x-sidetrack-id", "alice")));
    routes.readRecordsToList();
    audit.readRecordsToList();

    driver.advanceWallClockTime(Duration.ofSeconds(10));
    assertThat(routes.isEmpty()).isTrue();
    driver.advanceWallClockTime(Duration.ofSeconds(6));

    TestRecord<String, RouteEntry> tombstone = routes.readRecord();
    assertThat(tombstone.key()).isEqualTo("orders/i-1");
    assertThat(tombstone.value()).isNull();
    AuditEvent event = audit.readValue();
    assertThat(event.getKind()).isEqualTo(AuditKind.EXPIRED);
    assertThat(event.getActor()).isEqualTo("registry-stream");
    // the match is free again
    register(
        intercept("i-2", "bob", MatchRules.header("x-sidetrack-id", "alice"))
            .withExpiresAt(T0.plusSeconds(60)));
    assertThat(audit.readValue().getKind()).isEqualTo(AuditKind.CREATED);
  }

  @Test
  void aRenewalReadAfterItsLeaseEndedIsSkippedNotRejected() {
    // no instance decided for 20 s (a takeover after a crash): the registrations written meanwhile
    // are read late, the first after its lease ended, the last still in time
    driver.advanceWallClockTime(Duration.ofSeconds(20));
    Intercept first = intercept("i-1", "alice", MatchRules.header("x-sidetrack-id", "alice"));
    intercepts.pipeInput(
        first.id(),
        registrations.serialize(Topics.INTERCEPTS, AvroMapping.toRegistration(first)),
        T0.plusSeconds(5));
    assertThat(audit.isEmpty()).as("no decision on a stale registration").isTrue();
    assertThat(routes.isEmpty()).isTrue();

    intercepts.pipeInput(
        first.id(),
        registrations.serialize(
            Topics.INTERCEPTS, AvroMapping.toRegistration(first.withExpiresAt(T0.plusSeconds(35)))),
        T0.plusSeconds(19));

    assertThat(audit.readValue().getKind()).isEqualTo(AuditKind.CREATED);
    assertThat(routes.readRecord().key()).isEqualTo("orders/i-1");
    assertThat(audit.isEmpty()).isTrue();
  }

  @Test
  void renewedLeaseDoesNotExpire() {
    Intercept first = intercept("i-1", "alice", MatchRules.header("x-sidetrack-id", "alice"));
    register(first);
    routes.readRecordsToList();
    audit.readRecordsToList();
    register(first.withExpiresAt(T0.plusSeconds(40)));

    driver.advanceWallClockTime(Duration.ofSeconds(30));

    assertThat(routes.isEmpty()).isTrue();
    assertThat(audit.isEmpty()).isTrue();
  }

  @Test
  void tombstoneWithdrawsTheRouteAndFreesTheMatch() {
    register(intercept("i-1", "alice", MatchRules.header("x-sidetrack-id", "alice")));
    routes.readRecordsToList();
    audit.readRecordsToList();

    remove("i-1");

    TestRecord<String, RouteEntry> tombstone = routes.readRecord();
    assertThat(tombstone.key()).isEqualTo("orders/i-1");
    assertThat(tombstone.value()).isNull();
    AuditEvent event = audit.readValue();
    assertThat(event.getKind()).isEqualTo(AuditKind.REMOVED);
    assertThat(event.getBefore().getOwner()).isEqualTo("alice");
    register(intercept("i-2", "bob", MatchRules.header("x-sidetrack-id", "alice")));
    assertThat(audit.readValue().getKind()).isEqualTo(AuditKind.CREATED);
  }

  @Test
  void rejectedRegistrationIsAcceptedOnRenewalOnceTheHolderLeft() {
    register(intercept("i-1", "alice", MatchRules.header("x-sidetrack-id", "shared")));
    Intercept second = intercept("i-2", "bob", MatchRules.header("x-sidetrack-id", "shared"));
    register(second);
    register(second.withExpiresAt(T0.plusSeconds(16)));
    assertThat(audit.readValuesToList())
        .extracting(AuditEvent::getKind)
        .containsExactly(AuditKind.CREATED, AuditKind.REJECTED);

    remove("i-1");
    register(second.withExpiresAt(T0.plusSeconds(17)));

    assertThat(audit.readValuesToList())
        .extracting(AuditEvent::getKind)
        .containsExactly(AuditKind.REMOVED, AuditKind.CREATED);
  }

  @Test
  void undecodableRecordGoesToTheDlqAndProcessingGoesOn() {
    intercepts.pipeInput("i-bad", "not avro at all".getBytes(StandardCharsets.UTF_8));
    register(intercept("i-1", "alice", MatchRules.header("x-sidetrack-id", "alice")));

    TestRecord<String, byte[]> dead = dlq.readRecord();
    assertThat(dead.key()).isEqualTo("i-bad");
    assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("not avro at all");
    assertThat(
            new String(
                dead.headers().lastHeader(RegistrationIndexer.DLQ_REASON_HEADER).value(),
                StandardCharsets.UTF_8))
        .contains("Confluent wire format");
    assertThat(audit.readValue().getKind()).isEqualTo(AuditKind.CREATED);
    assertThat(counter("sidetrack.registry.dlq.records", null, null)).isEqualTo(1.0);
  }

  @Test
  void registrationWrittenWithAnOlderSchemaIsDecided() throws Exception {
    // Version 1 of InterceptRegistration: no failureMode and no labels yet.
    Schema match = io.sidetrack.schemas.avro.MatchRules.getClassSchema();
    Schema v1 =
        SchemaBuilder.record("InterceptRegistration")
            .namespace("io.sidetrack.schemas.avro")
            .fields()
            .requiredString("id")
            .requiredString("workload")
            .requiredString("owner")
            .name("match")
            .type(match)
            .noDefault()
            .requiredString("target")
            .name("createdAt")
            .type(timestamp())
            .noDefault()
            .name("expiresAt")
            .type(timestamp())
            .noDefault()
            .endRecord();
    int id = registry.register(Topics.INTERCEPTS + "-value", v1);
    GenericRecord old = new GenericData.Record(v1);
    old.put("id", "i-old");
    old.put("workload", "orders");
    old.put("owner", "carol");
    old.put("match", AvroMapping.toAvro(MatchRules.header("x-sidetrack-id", "carol")));
    old.put("target", "router-1:9000");
    old.put("createdAt", T0.toEpochMilli());
    old.put("expiresAt", T0.plusSeconds(15).toEpochMilli());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(v1, GenericData.get()).write(old, encoder);
    encoder.flush();

    intercepts.pipeInput("i-old", out.toByteArray());

    AuditEvent event = audit.readValue();
    assertThat(event.getKind()).isEqualTo(AuditKind.CREATED);
    assertThat(event.getAfter().getFailureMode())
        .isEqualTo(io.sidetrack.schemas.avro.FailureMode.FAIL_OPEN);
    assertThat(routes.readValue().getOwner()).isEqualTo("carol");
  }

  private static Schema timestamp() {
    return org.apache.avro.LogicalTypes.timestampMillis()
        .addToSchema(Schema.create(Schema.Type.LONG));
  }

  private double counter(String name, String tag, String value) {
    var search = meters.find(name);
    if (tag != null) {
      search = search.tag(tag, value);
    }
    return search.counter().count();
  }
}
