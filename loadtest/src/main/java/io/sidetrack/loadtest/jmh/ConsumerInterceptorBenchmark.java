package io.sidetrack.loadtest.jmh;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.records.RecordRouting;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.trust.RouteSignature;
import io.sidetrack.kafka.interceptor.internal.RecordFilter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What Sidetrack's consumer interceptor adds per record that no intercept claims: a poll of {@value
 * #POLL} records of a topic that N personal intercepts of the workload take (header {@code
 * x-sidetrack-id} or baggage {@code sidetrack-id}), filtered as {@code onConsume} filters it. The
 * records carry no header, another developer's header value, or a baggage header without the
 * member; {@code noIntercepts} is the same poll with no route taking the topic (the interceptor's
 * floor). Each call gets a fresh poll whose headers are byte buffers, as a consumer's fetch makes
 * them (reading a header's key decodes it then). Scores are nanoseconds per record.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ConsumerInterceptorBenchmark {
  static final int POLL = 500;
  static final String TOPIC = "orders.created";

  @Param({"1", "10000"})
  int intercepts;

  /** What the records carry: none, x-sidetrack-id of nobody, or baggage without sidetrack-id. */
  @Param({"none", "other-header", "other-baggage"})
  String headers;

  RecordRouting routing;
  ConsumerRecords<String, String> poll;
  final RecordFilter cluster = new RecordFilter(null);

  @Setup
  public void setUp() {
    Instant t0 = Instant.parse("2026-11-25T00:00:00Z");
    List<Route> routes = new ArrayList<>();
    for (int i = 0; i < intercepts; i++) {
      routes.add(
          new Route(
              "p-" + i,
              "orders",
              "dev-" + i,
              MatchRules.personal("dev-" + i),
              "router:8071",
              t0,
              FailureMode.FAIL_OPEN,
              RouteSignature.NONE,
              List.of(TOPIC)));
    }
    routing = RecordRouting.compile(routes);
    for (int i = 0; i < POLL; i++) {
      List<byte[][]> h = new ArrayList<>();
      h.add(
          new byte[][] {
            utf8("traceparent"), utf8("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
          });
      switch (headers) {
        case "other-header" -> h.add(new byte[][] {utf8("x-sidetrack-id"), utf8("nobody-" + i)});
        case "other-baggage" ->
            h.add(new byte[][] {utf8("baggage"), utf8("tenant=t" + i + ",region=eu")});
        default -> {}
      }
      rawHeaders[i] = h.toArray(new byte[0][][]);
    }
  }

  /** Each record's headers as the broker sent them: key and value bytes. */
  final byte[][][][] rawHeaders = new byte[POLL][][][];

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A fresh poll before each call, its headers over byte buffers as a consumer's fetch makes them:
   * a header's key is decoded when first asked for, so a poll filtered once is not one a consumer
   * hands the interceptor.
   */
  @Setup(Level.Invocation)
  public void freshPoll() {
    TopicPartition tp = new TopicPartition(TOPIC, 0);
    List<ConsumerRecord<String, String>> records = new ArrayList<>(POLL);
    for (int i = 0; i < POLL; i++) {
      RecordHeaders h = new RecordHeaders();
      for (byte[][] kv : rawHeaders[i]) {
        h.add(new RecordHeader(ByteBuffer.wrap(kv[0]), ByteBuffer.wrap(kv[1])));
      }
      records.add(
          new ConsumerRecord<>(
              TOPIC, 0, i, 0L, TimestampType.CREATE_TIME, 0, 0, "k", "v", h, Optional.empty()));
    }
    poll = new ConsumerRecords<>(Map.of(tp, records), Map.of(tp, new OffsetAndMetadata(POLL)));
  }

  @Benchmark
  @OperationsPerInvocation(POLL)
  public ConsumerRecords<String, String> nonMatchingRecords() {
    return cluster.filter(poll, routing).records();
  }

  @Benchmark
  @OperationsPerInvocation(POLL)
  public ConsumerRecords<String, String> noIntercepts() {
    return cluster.filter(poll, RecordRouting.empty()).records();
  }
}
