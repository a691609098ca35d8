package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.cli.context.Context;
import io.sidetrack.cli.context.ContextFile;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The queue split end to end on real processes: {@code bin/sidetrack up}, whose {@code frontend} (a
 * child JVM under the OpenTelemetry Java agent, plain kafka-clients) produces a record to {@code
 * demo.orders} per {@code GET /order?item=X}, and whose {@code demo} consumes that topic with
 * Sidetrack's consumer interceptor named in its settings; a developer's {@code bin/sidetrack
 * intercept demo --topic demo.orders} and {@code bin/sidetrack leave}.
 *
 * <p>72 s on this 2-core machine with other agents' load (load average 11) once {@code up}'s
 * class-data archive is recorded; 125-200 s on runs that recorded it under load averages of 12-30,
 * most of it {@code up} starting.
 */
@Timeout(420)
class QueueSplitIT {
  static final String TOPIC = "demo.orders";
  static final String ALICE = "alice-queue-token-0123456789";
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern SENT =
      Pattern.compile("frontend sent order '(.*)' to (\\S+): partition (\\d+), offset (\\d+)");
  private static final Pattern ACTIVE =
      Pattern.compile("Active: intercept (\\S+), routed by (\\d+) edge agents?");

  static Path home;
  static Process up;
  static Context context;
  static final List<Process> started = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    home = Files.createTempDirectory("sidetrack-queue");
    Files.writeString(home.resolve("tokens"), ALICE + " alice demo\n");
    up =
        sidetrack(
                home.resolve("up.out"),
                "up",
                "--kafka-port",
                "0",
                "--registry-port",
                "0",
                "--api-port",
                "0",
                "--router-port",
                "0",
                "--preview-port",
                "0",
                "--demo-port",
                "0",
                "--frontend-port",
                "0",
                "--partitions",
                "3")
            .start();
    await()
        .atMost(Duration.ofSeconds(240))
        .until(() -> Files.exists(ContextFile.path(home)) || !up.isAlive());
    assertThat(up.isAlive()).as(Files.readString(home.resolve("up.out"))).isTrue();
    context = ContextFile.read(home).orElseThrow();
    assertThat(context.frontendUrl()).as("up runs the frontend workload").isNotBlank();
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : started) {
      p.destroyForcibly();
    }
    Launcher.stop(up);
  }

  static ProcessBuilder sidetrack(Path output, String... args) {
    return Launcher.sidetrack(home, output, args);
  }

  /** A record frontend produced, as a plain consumer reads it back from the topic. */
  record ProducedOrder(String item, ConsumerRecord<String, String> record) {
    /** The value of its last header {@code name}, or {@code null}. */
    String header(String name) {
      Header h = record.headers().lastHeader(name);
      return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** How demo's {@code GET /processed} lists it. */
    String processedLine() {
      return record.topic() + "-" + record.partition() + "@" + record.offset() + " " + item;
    }
  }

  /**
   * Sends {@code GET /order?item=ITEM} to frontend's edge agent, with {@code x-sidetrack-id:
   * sidetrackId} only (none when {@code null}), and reads the record it produced back from the
   * topic at the partition and offset frontend answered.
   */
  static ProducedOrder order(String sidetrackId, String item) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
            URI.create(
                context.frontendUrl()
                    + "/order?item="
                    + URLEncoder.encode(item, StandardCharsets.UTF_8)));
    if (sidetrackId != null) {
      b.header("x-sidetrack-id", sidetrackId);
    }
    HttpResponse<String> r =
        HTTP.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Matcher m = SENT.matcher(r.body());
    assertThat(m.find()).as(r.body()).isTrue();
    assertThat(m.group(1)).isEqualTo(item);
    assertThat(m.group(2)).isEqualTo(TOPIC);
    TopicPartition tp = new TopicPartition(TOPIC, Integer.parseInt(m.group(3)));
    long offset = Long.parseLong(m.group(4));
    try (KafkaConsumer<String, String> reader =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                context.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false),
            new StringDeserializer(),
            new StringDeserializer())) {
      reader.assign(List.of(tp));
      reader.seek(tp, offset);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> rec : reader.poll(Duration.ofMillis(500))) {
          if (rec.offset() == offset) {
            assertThat(rec.value()).isEqualTo(item);
            return new ProducedOrder(item, rec);
          }
        }
      }
    }
    throw new AssertionError("no record at " + tp + "@" + offset + " for " + r.body());
  }

  /** What demo's cluster consumer processed, as {@code GET /processed} on demo lists it. */
  static List<String> processed() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(context.demoUrl() + "/processed"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body().lines().toList();
  }

  /**
   * Starts {@code bin/sidetrack intercept demo --port PORT --topic demo.orders} with alice's token,
   * waits until it is active, and returns its output's "Active" line matched.
   */
  static Matcher interceptTopic(int port) throws Exception {
    Path out = home.resolve("alice-intercept.out");
    Process p =
        sidetrack(
                out,
                "intercept",
                "demo",
                "--port",
                String.valueOf(port),
                "--topic",
                TOPIC,
                "--token",
                ALICE)
            .start();
    started.add(p);
    await()
        .atMost(Duration.ofSeconds(120))
        .until(() -> Files.readString(out).contains("Relaying") || !p.isAlive());
    String said = Files.readString(out);
    assertThat(p.isAlive()).as(said).isTrue();
    assertThat(said).contains("Records of " + TOPIC + " that match are skipped");
    Matcher active = ACTIVE.matcher(said);
    assertThat(active.find()).as(said).isTrue();
    return active;
  }

  /**
   * The records on the broker alice's CLI started, read from its start for {@code seconds} once one
   * arrives; a record of {@code item} produced before the intercept must never be there.
   */
  static List<ConsumerRecord<String, String>> laptopRecords(int seconds, String notItem)
      throws Exception {
    String said = Files.readString(home.resolve("alice-intercept.out"));
    Matcher m = Pattern.compile("bootstrap\\.servers=(\\S+)").matcher(said);
    assertThat(m.find()).as(said).isTrue();
    List<ConsumerRecord<String, String>> got = new ArrayList<>();
    try (KafkaConsumer<String, String> c =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                m.group(1),
                ConsumerConfig.GROUP_ID_CONFIG,
                "laptop-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new StringDeserializer())) {
      c.subscribe(List.of(TOPIC));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                c.poll(Duration.ofMillis(500)).forEach(got::add);
                return !got.isEmpty();
              });
      long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
      while (System.nanoTime() < end) {
        c.poll(Duration.ofMillis(500)).forEach(got::add);
      }
    }
    assertThat(got).extracting(ConsumerRecord::value).doesNotContain(notItem);
    return got;
  }

  @Test
  void recordsOfTheDevelopersRequestsSkipTheClusterConsumerUntilTheyLeave() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    // no intercept yet: the cluster consumer processes a record of alice's request
    ProducedOrder before = order("alice", "before-" + run);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> processed().contains(before.processedLine()));

    Matcher active = interceptTopic(1);
    String interceptId = active.group(1);
    assertThat(active.group(2))
        .as("demo's edge agent and demo's Kafka consumer both applied the intercept")
        .isEqualTo("2");

    // only the header reached frontend; the OTel agent carried it as baggage into the record
    ProducedOrder mine = order("alice", "mine-" + run);
    assertThat(mine.header("baggage")).contains("sidetrack-id=alice");
    assertThat(mine.header("x-sidetrack-id")).isNull();
    assertThat(mine.header("traceparent")).isNotNull();
    ProducedOrder carols = order("carol", "carol-" + run);
    assertThat(carols.header("baggage")).contains("sidetrack-id=carol");
    ProducedOrder plain = order(null, "plain-" + run);
    assertThat(plain.header("baggage")).isNull();
    // one partition: the consumer processes in offset order, so once it has processed the later
    // records it has passed alice's for good
    assertThat(List.of(carols.record().offset(), plain.record().offset()))
        .allMatch(o -> o > mine.record().offset());
    assertThat(plain.record().partition()).isEqualTo(mine.record().partition());
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> processed().containsAll(List.of(carols.processedLine(), plain.processedLine())));
    assertThat(processed()).doesNotContain(mine.processedLine());

    // ... and the router relayed it to the broker the CLI started on the "laptop", and only it
    List<ConsumerRecord<String, String>> onLaptop = laptopRecords(2, "before-" + run);
    assertThat(onLaptop).extracting(ConsumerRecord::value).containsExactly(mine.item());
    ConsumerRecord<String, String> relayed = onLaptop.get(0);
    assertThat(relayed.key()).isEqualTo(mine.record().key());
    assertThat(relayed.timestamp()).isEqualTo(mine.record().timestamp());
    assertThat(relayed.partition()).isEqualTo(mine.record().partition());
    Header baggage = relayed.headers().lastHeader("baggage");
    assertThat(baggage).isNotNull();
    assertThat(new String(baggage.value(), StandardCharsets.UTF_8)).contains("sidetrack-id=alice");

    Path leaveOut = home.resolve("leave.out");
    Process leave = sidetrack(leaveOut, "leave", interceptId, "--token", ALICE).start();
    assertThat(leave.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(leave.exitValue()).as(Files.readString(leaveOut)).isZero();
    assertThat(Files.readString(leaveOut)).contains("Removed intercept " + interceptId);

    // the consumer learns of the removal from its route reader: a later record is processed
    List<ProducedOrder> after = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              after.add(order("alice", "after-" + run + "-" + after.size()));
              List<String> now = processed();
              return after.stream().anyMatch(o -> now.contains(o.processedLine()));
            });
    assertThat(processed()).doesNotContain(mine.processedLine());
  }
}
