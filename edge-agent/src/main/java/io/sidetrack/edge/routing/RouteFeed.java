package io.sidetrack.edge.routing;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sidetrack.core.RouteKeys;
import io.sidetrack.core.WorkloadPartitioning;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteTable;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.feed.CompactedTopicReader;
import io.sidetrack.feed.Source;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.heartbeat.Heartbeats;
import io.sidetrack.schemas.serde.AvroSerde;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Keeps the workload's route table: reads only the workload's partition of {@code sidetrack.routes}
 * (assigned, no consumer group) to its end, publishes the compiled table, then tails the partition
 * and applies each change to a new table (sharing the rest of the old one), swapped atomically.
 * Each route changed while tailing is verified as it is decoded: one no trusted router signed is
 * refused, never applied; the routes of a first read are verified before use ({@link RouteTrust}).
 * With Kafka unreachable the last table stays; a record it cannot decode or apply is skipped,
 * logged and counted. When the topic grows, the workload's new partition is read to its end before
 * its table replaces the one in use.
 */
public final class RouteFeed implements AutoCloseable {
  private final String workload;
  private final RouteTableKeeper tables;
  private final CompactedTopicReader<String, CheckedRoute> reader;

  public RouteFeed(
      String workload,
      String bootstrapServers,
      Map<String, String> kafkaProperties,
      String topic,
      Supplier<AvroSerde<RouteEntry>> entries,
      TrustedKeys trustedRouters,
      MeterRegistry meters) {
    this.workload = requireNonNull(workload, "workload");
    requireNonNull(trustedRouters, "trustedRouters");
    requireNonNull(topic, "topic");
    requireNonNull(meters, "meters");
    Map<String, Object> props = new HashMap<>(kafkaProperties);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // How long an idle fetch waits at the broker: bounds how late a route change is seen.
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    // A new agent reads its whole partition before it is ready: few, large fetches.
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
    props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
    props.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2_000);
    props.putIfAbsent(ConsumerConfig.METRIC_REPORTER_CLASSES_CONFIG, "");
    props.putIfAbsent(ConsumerConfig.ENABLE_METRICS_PUSH_CONFIG, false);
    Counter undecodable =
        Counter.builder("sidetrack.agent.route.undecodable")
            .description(
                "Route records that could not be decoded: skipped, or (skimmed by a first read)"
                    + " taking no request")
            .register(meters);
    this.tables =
        new RouteTableKeeper(
            workload,
            Counter.builder("sidetrack.agent.route.changes")
                .description("Route entries applied")
                .register(meters),
            undecodable,
            Counter.builder("sidetrack.agent.routes.rejected")
                .description("Route records that decoded but could not be applied, skipped")
                .register(meters),
            new RouteTrust(workload, trustedRouters, new RouteRefusals(workload, meters)));
    this.reader =
        CompactedTopicReader.builder(
                "route-feed-" + workload,
                new StringDeserializer(),
                new RouteRecords(workload, entries, trustedRouters, tables::firstRead))
            .consumerProperties(props)
            .source(Source.partition(topic, n -> WorkloadPartitioning.partitionOf(workload, n)))
            .filter((t, key) -> key != null && RouteKeys.workloadOf(key).equals(workload))
            .decodeThreads(Math.max(1, Runtime.getRuntime().availableProcessors()))
            .handler(tables)
            .build();
    Gauge.builder("sidetrack.agent.routes", this, f -> f.current().size())
        .description("Routes in the current table")
        .register(meters);
    Gauge.builder("sidetrack.agent.applied.offset", this, RouteFeed::appliedOffset)
        .description("Offset of sidetrack.routes applied up to")
        .register(meters);
  }

  /** Starts reading in the background. */
  public void start() {
    reader.start();
  }

  /** The current table; callers keep the one they got for the whole request. */
  public RouteTable current() {
    return tables.current();
  }

  /**
   * Whether {@code route}, a route of {@link #current()}, may be routed by: a trusted router signed
   * it (checked now, once, if it was not yet).
   */
  public boolean trusted(Route route) {
    return tables.trusted(route);
  }

  /** Whether the partition was read to its end at least once. */
  public boolean caughtUp() {
    return reader.isCaughtUp();
  }

  /** Whether Kafka answered recently. */
  public boolean kafkaReachable() {
    return reader.kafkaReachable();
  }

  /** The partition read, or -1 before it is known. */
  public int partition() {
    return tables.partition();
  }

  /** Every record before this offset of the partition is applied. */
  public long appliedOffset() {
    return tables.appliedOffset();
  }

  /** The workload whose routes these are. */
  public String workload() {
    return workload;
  }

  /** What the agent's heartbeats report of this feed. */
  public Heartbeats.Progress progress() {
    return new Heartbeats.Progress() {
      @Override
      public int partition() {
        return RouteFeed.this.partition();
      }

      @Override
      public long appliedOffset() {
        return RouteFeed.this.appliedOffset();
      }

      @Override
      public boolean ready() {
        return caughtUp();
      }

      @Override
      public int routes() {
        return current().size();
      }
    };
  }

  @Override
  public void close() {
    reader.close();
  }
}
