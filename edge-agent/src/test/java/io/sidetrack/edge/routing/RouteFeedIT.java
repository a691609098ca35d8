package io.sidetrack.edge.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.WorkloadPartitioning;
import io.sidetrack.core.trust.Keys;
import io.sidetrack.core.trust.RouteSigner;
import io.sidetrack.edge.TestRouterKeys;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.InMemorySchemaRegistryClient;
import io.sidetrack.schemas.serde.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The route feed on a real broker: a topic of its own per test, entries written straight to it. */
@Timeout(120)
class RouteFeedIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final AvroSerde<RouteEntry> serde =
      AvroSerde.forValues(new InMemorySchemaRegistryClient(), RouteEntry.class);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private String topic;
  private Admin admin;
  private KafkaProducer<String, byte[]> producer;
  private RouteFeed feed;

  @BeforeEach
  void setUp() throws Exception {
    String kafka = SharedInfrastructure.kafka();
    topic = "routes-" + UUID.randomUUID();
    admin = Admin.create(Map.of("bootstrap.servers", kafka));
    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  @AfterEach
  void tearDown() {
    if (feed != null) {
      feed.close();
    }
    producer.close();
    admin.close();
  }

  private RouteFeed start(String workload) {
    feed =
        new RouteFeed(
            workload,
            SharedInfrastructure.kafka(),
            // metadata refreshed often, so a grown topic is noticed within the test
            Map.of("metadata.max.age.ms", "300"),
            topic,
            () -> serde,
            TestRouterKeys.TRUSTED,
            meters);
    feed.start();
    return feed;
  }

  private double refused(String reason) {
    return meters.get("sidetrack.agent.routes.refused").tag("reason", reason).counter().count();
  }

  private static RouteEntry unsigned(String id, String workload, String user, String target) {
    return AvroMapping.toRouteEntry(forged(id, workload, user, target));
  }

  private static Intercept forged(String id, String workload, String user, String target) {
    Instant now = Instant.now();
    return (new Intercept(
        id,
        workload,
        "mallory",
        MatchRules.header("x-dev", user),
        target,
        now,
        now.plusSeconds(60),
        FailureMode.FAIL_OPEN,
        Map.of()));
  }

  @Test
  void routesNoTrustedRouterSignedAreRefusedCountedAndNotApplied() throws Exception {
    RouteFeed routes = start("shop");
    write(0, "shop/i-1", route("i-1", "shop", "alice"));
    await().atMost(WAIT).until(() -> routes.current().size() == 1);

    // unsigned, a stranger's key, and a signed route whose target was changed
    write(0, "shop/x", unsigned("x", "shop", "victim", "127.0.0.1:19999"));
    RouteEntry stranger =
        AvroMapping.toRouteEntry(
            new RouteSigner(Keys.generate()).sign(forged("y", "shop", "v2", "evil:1")));
    write(0, "shop/y", stranger);
    RouteEntry tampered = route("i-1", "shop", "alice");
    tampered.setTarget("127.0.0.1:19999");
    write(0, "shop/i-1", tampered);
    for (int i = 0; i < 5; i++) {
      write(0, "shop/x", unsigned("x", "shop", "victim", "127.0.0.1:19999"));
    }
    write(0, "shop/i-3", route("i-3", "shop", "bob"));

    await().atMost(WAIT).until(() -> routes.current().route("i-3").isPresent());
    assertThat(routes.current().route("x")).isEmpty();
    assertThat(routes.current().route("y")).isEmpty();
    assertThat(routes.current().route("i-1").orElseThrow().target()).isEqualTo("127.0.0.1:9");
    assertThat(refused("unsigned")).isEqualTo(6.0);
    assertThat(refused("unknown_key")).isEqualTo(1.0);
    assertThat(refused("bad_signature")).isEqualTo(1.0);

    // a tombstone needs no signature: it only sends requests where they would go anyway
    write(0, "shop/i-3", null);
    await().atMost(WAIT).until(() -> routes.current().route("i-3").isEmpty());
  }

  /**
   * The routes of a first read go into the table unchecked (the agent is ready sooner); an unsigned
   * one is never trusted: the background check refuses it and counts it (routing passes over it
   * meanwhile), and the reader then takes it out of the table.
   */
  @Test
  void aRouteUnsignedReadWhileCatchingUpIsNeverTrusted() throws Exception {
    write(0, "shop/i-1", route("i-1", "shop", "alice"));
    write(0, "shop/x", unsigned("x", "shop", "victim", "127.0.0.1:19999"));

    RouteFeed routes = start("shop");

    await().atMost(WAIT).until(routes::caughtUp);
    await().atMost(WAIT).until(() -> refused("unsigned") == 1.0);
    routes.current().route("x").ifPresent(x -> assertThat(routes.trusted(x)).isFalse());
    await().atMost(WAIT).until(() -> routes.current().route("x").isEmpty());
    assertThat(routes.trusted(routes.current().route("i-1").orElseThrow())).isTrue();
    assertThat(refused("unsigned")).as("refused once, not once per look").isEqualTo(1.0);
  }

  @Test
  void routeThatCannotBeAppliedIsSkippedAndTailingGoesOn() throws Exception {
    RouteFeed routes = start("shop");
    write(0, "shop/i-1", route("i-1", "shop", "alice"));
    await().atMost(WAIT).until(() -> routes.current().size() == 1);

    write(0, "shop/i-2", regexRoute("i-2", "shop", "("));
    write(0, "shop/i-3", route("i-3", "shop", "bob"));

    await().atMost(WAIT).until(() -> routes.current().route("i-3").isPresent());
    assertThat(routes.current().size()).isEqualTo(2);
    assertThat(routes.current().route("i-2")).isEmpty();
    assertThat(meters.counter("sidetrack.agent.routes.rejected").count()).isEqualTo(1.0);
    await().atMost(WAIT).until(() -> routes.appliedOffset() == 3);
  }

  @Test
  void routeThatCannotBeAppliedWhileCatchingUpIsSkipped() throws Exception {
    write(0, "shop/i-1", route("i-1", "shop", "alice"));
    write(0, "shop/i-2", regexRoute("i-2", "shop", "(unclosed"));
    write(0, "shop/i-3", route("i-3", "shop", "bob"));

    RouteFeed routes = start("shop");

    await().atMost(WAIT).until(routes::caughtUp);
    assertThat(routes.current().size()).isEqualTo(2);
    assertThat(routes.current().route("i-2")).isEmpty();
    assertThat(routes.appliedOffset()).isEqualTo(3);
    assertThat(meters.counter("sidetrack.agent.routes.rejected").count()).isEqualTo(1.0);
    write(0, "shop/i-4", route("i-4", "shop", "carol"));
    await().atMost(WAIT).until(() -> routes.current().size() == 3);
  }

  @Test
  void workloadMovesToItsNewPartitionWhenTheTopicGrows() throws Exception {
    // a workload whose partition among 4 is not its partition among 1 (0)
    String workload =
        java.util.stream.IntStream.range(0, 100)
            .mapToObj(i -> "w" + i)
            .filter(w -> WorkloadPartitioning.partitionOf(w, 4) != 0)
            .findFirst()
            .orElseThrow();
    int moved = WorkloadPartitioning.partitionOf(workload, 4);
    RouteFeed routes = start(workload);
    write(0, workload + "/i-1", route("i-1", workload, "alice"));
    await().atMost(WAIT).until(() -> routes.current().size() == 1);
    assertThat(routes.partition()).isZero();

    admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(4))).all().get();
    // what registry-stream writes from now on goes to the workload's new partition
    write(moved, workload + "/i-1", route("i-1", workload, "alice"));
    write(moved, workload + "/i-2", route("i-2", workload, "bob"));
    // and the old partition is no longer the workload's: a change there is not seen
    write(0, workload + "/i-9", route("i-9", workload, "mallory"));

    await().atMost(WAIT).until(() -> routes.partition() == moved);
    // until the new partition is read to its end the old table routes (it may have taken i-9
    // before the move was seen); then the table is the new partition's content alone
    await()
        .atMost(WAIT)
        .until(() -> routes.current().route("i-2").isPresent() && routes.current().size() == 2);
    assertThat(routes.current().route("i-9")).isEmpty();
    await().atMost(WAIT).until(() -> routes.appliedOffset() == 2);

    write(moved, workload + "/i-1", null);
    await().atMost(WAIT).until(() -> routes.current().route("i-1").isEmpty());
    assertThat(routes.appliedOffset()).isEqualTo(3);
    assertThat(routes.caughtUp()).isTrue();
  }

  private void write(int partition, String key, RouteEntry entry) throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                topic, partition, key, entry == null ? null : serde.serialize(topic, entry)))
        .get();
  }

  private static RouteEntry route(String id, String workload, String user) {
    return entry(id, workload, MatchRules.header("x-dev", user));
  }

  private static RouteEntry regexRoute(String id, String workload, String regex) {
    return entry(
        id,
        workload,
        new MatchRules(List.of(HeaderMatch.regex("x-dev", regex)), List.of(), null, null, false));
  }

  private static RouteEntry entry(String id, String workload, MatchRules match) {
    Instant now = Instant.now();
    return AvroMapping.toRouteEntry(
        TestRouterKeys.SIGNER.sign(
            new Intercept(
                id,
                workload,
                "alice",
                match,
                "127.0.0.1:9",
                now,
                now.plusSeconds(60),
                FailureMode.FAIL_OPEN,
                Map.of())));
  }
}
