package io.sidetrack.loadtest.audit;

import io.sidetrack.cli.audit.AuditLog;
import io.sidetrack.cli.audit.ReplayCommand;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.Topics;
import io.sidetrack.core.audit.RoutingReplay;
import io.sidetrack.embedded.EmbeddedKafka;
import io.sidetrack.embedded.EmbeddedSchemaRegistry;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.avro.AuditKind;
import io.sidetrack.schemas.registry.HttpSchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import io.sidetrack.stream.TopicSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes N audit events (each workload's intercepts created, updated, expired or removed in turn)
 * to the embedded broker, then times a replay of all of them at "now" with the same code {@code
 * sidetrack replay} runs.
 */
public final class ReplayBenchmark {
  private static final int PARTITIONS = 6;

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path dir = Files.createTempDirectory("sidetrack-replay-bench");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, true);
        EmbeddedSchemaRegistry registry =
            EmbeddedSchemaRegistry.start(dir.resolve("registry.log"), 0)) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        TopicSetup.ensure(admin, Topics.DEFAULT, PARTITIONS, 1);
      }
      var client = new HttpSchemaRegistryClient(SchemaRegistryConfig.of(registry.url()));
      long written = write(kafka.bootstrapServers(), client, events);
      System.out.printf("wrote %d audit events (%d MB of values)%n", events, written >> 20);

      for (int run = 1; run <= 3; run++) {
        System.gc();
        long start = System.nanoTime();
        RoutingReplay replay;
        try (AuditLog log = new AuditLog(kafka.bootstrapServers(), client, Topics.AUDIT)) {
          replay = ReplayCommand.replay(log, Instant.now(), null);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Runtime rt = Runtime.getRuntime();
        System.out.printf(
            "replay run %d: %d events in %.2fs = %.0f events/s; %d active intercepts; heap used"
                + " %d MB%n",
            run,
            replay.applied(),
            seconds,
            replay.applied() / seconds,
            replay.active().size(),
            (rt.totalMemory() - rt.freeMemory()) >> 20);
      }
    }
  }

  /** 10 events per intercept: CREATED, 8 UPDATED, then UPDATED, EXPIRED or REMOVED. */
  private static long write(String bootstrap, HttpSchemaRegistryClient client, int events)
      throws Exception {
    var serde = AvroSerde.forValues(client, AuditEvent.class);
    long bytes = 0;
    Instant t0 = Instant.now().minusSeconds(3600);
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.LINGER_MS_CONFIG,
                20,
                ProducerConfig.BATCH_SIZE_CONFIG,
                512 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG,
                "lz4"),
            new StringSerializer(),
            new ByteArraySerializer())) {
      for (int n = 0; n < events; n++) {
        int interceptNo = n / 10;
        int step = n % 10;
        String workload = "workload-" + (interceptNo % 10_000);
        Intercept before = intercept(interceptNo, workload, step - 1);
        Intercept after = intercept(interceptNo, workload, step);
        // a third of the intercepts stay active; the others expire or are removed at the end
        boolean ends = interceptNo % 3 != 0;
        AuditKind kind =
            step == 0
                ? AuditKind.CREATED
                : step < 9 || !ends
                    ? AuditKind.UPDATED
                    : interceptNo % 2 == 0 ? AuditKind.EXPIRED : AuditKind.REMOVED;
        AuditEvent event =
            AuditEvent.newBuilder()
                .setTime(t0.plusMillis(n / 1000))
                .setKind(kind)
                .setWorkload(workload)
                .setInterceptId(after.id())
                .setActor(kind == AuditKind.EXPIRED ? "registry-stream" : after.owner())
                .setReason(kind == AuditKind.EXPIRED ? "lease expired" : null)
                .setBefore(step == 0 ? null : AvroMapping.toRegistration(before))
                .setAfter(step == 9 && ends ? null : AvroMapping.toRegistration(after))
                .build();
        byte[] value = serde.serialize(Topics.AUDIT, event);
        bytes += value.length;
        producer.send(
            new ProducerRecord<>(
                Topics.AUDIT, null, event.getTime().toEpochMilli(), workload, value));
      }
    }
    return bytes;
  }

  private static Intercept intercept(int no, String workload, int version) {
    Instant created = Instant.parse("2026-11-25T00:00:00Z");
    return new Intercept(
        "i-" + no,
        workload,
        "dev-" + (no % 1000),
        MatchRules.header("x-sidetrack-id", "dev-" + no + "-v" + version),
        "router-1:9000",
        created,
        created.plusSeconds(30),
        FailureMode.FAIL_OPEN,
        Map.of());
  }
}
