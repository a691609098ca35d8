package io.sidetrack.kafka.interceptor.internal;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.RouteKeys;
import io.sidetrack.core.Topics;
import io.sidetrack.core.WorkloadPartitioning;
import io.sidetrack.core.records.RecordRouting;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.trust.Keys;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.core.trust.Verification;
import io.sidetrack.feed.CompactedTopicReader;
import io.sidetrack.feed.FeedRecord;
import io.sidetrack.feed.RecordHandler;
import io.sidetrack.feed.SkippedRecord;
import io.sidetrack.feed.Source;
import io.sidetrack.kafka.interceptor.InterceptorConfig;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.AgentHeartbeat;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import io.sidetrack.schemas.registry.SchemaRegistryClients;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record routing of one workload, kept current in the background: reads the workload's
 * partition of {@code sidetrack.routes} (assigned, no group) to its end, compiles the routes that
 * take topics, then applies each change; with trusted router keys, a route no trusted router signed
 * is refused (not applied). Cluster-mode users also report the offset applied to {@code
 * sidetrack.agents}, as an edge agent does, so an intercept becomes active only once this JVM's
 * consumers skip its records. One instance per JVM and settings, shared by every consumer that
 * acquires it and closed by the last to release it.
 */
public final class WorkloadRoutes implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadRoutes.class);

  /** The settings that make two consumers share one reader. */
  record Key(
      String workload,
      String bootstrapServers,
      String schemaRegistryUrl,
      String topicPrefix,
      List<String> trustedRouterKeyFiles,
      Map<String, String> kafkaProperties,
      boolean reports,
      String agentId) {}

  private static final Map<Key, WorkloadRoutes> SHARED = new HashMap<>();

  private final Key key;
  private int users;
  private final CompactedTopicReader<String, Route> reader;
  private final io.sidetrack.schemas.heartbeat.Heartbeats heartbeats;
  private final Keeper keeper;

  /** The routes of {@code config}'s workload, shared with the JVM's other consumers of it. */
  public static WorkloadRoutes acquire(InterceptorConfig config, boolean agentIdGiven) {
    boolean reports = config.mode() == InterceptorConfig.Mode.CLUSTER;
    Key key =
        new Key(
            config.workload(),
            config.bootstrapServers(),
            config.schemaRegistryUrl(),
            config.topicPrefix(),
            config.trustedRouterKeyFiles(),
            config.kafkaProperties(),
            reports,
            agentIdGiven ? config.agentId() : "");
    synchronized (SHARED) {
      WorkloadRoutes routes = SHARED.get(key);
      if (routes == null) {
        routes = new WorkloadRoutes(key, config, reports);
        SHARED.put(key, routes);
        routes.start();
      }
      routes.users++;
      return routes;
    }
  }

  /** One consumer is done with it; the last closes it. */
  public void release() {
    synchronized (SHARED) {
      if (--users > 0) {
        return;
      }
      SHARED.remove(key);
    }
    close();
  }

  private WorkloadRoutes(Key key, InterceptorConfig config, boolean reports) {
    this.key = key;
    Topics.Names topics = Topics.DEFAULT.withPrefix(config.topicPrefix());
    TrustedKeys trusted = trustedKeys(config.trustedRouterKeyFiles());
    if (trusted == null) {
      LOG.warn(
          "Sidetrack interceptor of {}: no {} set: route entries are taken unverified",
          config.workload(),
          InterceptorConfig.TRUSTED_ROUTER_KEYS_CONFIG);
    }
    SchemaRegistryClient registry =
        SchemaRegistryClients.create(SchemaRegistryConfig.of(config.schemaRegistryUrl()));
    AvroSerde<RouteEntry> entries = AvroSerde.forValues(registry, RouteEntry.class);
    this.keeper = new Keeper(config.workload(), trusted);
    Map<String, Object> props = new HashMap<>(config.kafkaProperties());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    props.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2_000);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "sidetrack-routes-" + config.agentId());
    // this reader's own consumer must not run the app's interceptors
    props.remove(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG);
    String workload = config.workload();
    Deserializer<Route> decode =
        (topic, data) -> AvroMapping.toRoute(entries.deserialize(topic, data));
    this.reader =
        CompactedTopicReader.builder(
                "kafka-interceptor-" + workload, new StringDeserializer(), decode)
            .consumerProperties(props)
            .source(
                Source.partition(
                    topics.routes(), n -> WorkloadPartitioning.partitionOf(workload, n)))
            .filter((t, k) -> k != null && RouteKeys.workloadOf(k).equals(workload))
            .handler(keeper)
            .build();
    Map<String, Object> producerProps = new HashMap<>(config.kafkaProperties());
    producerProps.put("client.id", "sidetrack-heartbeat-" + config.agentId());
    this.heartbeats =
        reports
            ? new io.sidetrack.schemas.heartbeat.Heartbeats(
                config.agentId(),
                workload,
                config.bootstrapServers(),
                producerProps,
                topics.agents(),
                AvroSerde.forValues(registry, AgentHeartbeat.class),
                config.heartbeatInterval(),
                keeper)
            : null;
  }

  private static TrustedKeys trustedKeys(List<String> files) {
    if (files.isEmpty()) {
      return null;
    }
    List<PublicKey> keys = new ArrayList<>();
    for (String file : files) {
      try {
        keys.addAll(Keys.publicKeys(Files.readString(Path.of(file))));
      } catch (IOException | RuntimeException e) {
        throw new ConfigException(
            InterceptorConfig.TRUSTED_ROUTER_KEYS_CONFIG,
            file,
            "cannot read it: " + e.getMessage());
      }
    }
    return TrustedKeys.of(keys);
  }

  private void start() {
    reader.start();
    if (heartbeats != null) {
      heartbeats.start();
    }
  }

  /** The routing in use now (empty before the first read): never waits. */
  public RecordRouting current() {
    return keeper.routing;
  }

  /** Waits at most {@code wait} for the first read of the routes; whether it is done. */
  public boolean awaitFirstRead(Duration wait) {
    if (reader.isCaughtUp()) {
      return true;
    }
    try {
      reader.caughtUp().get(wait.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return false;
    }
  }

  /** Whether the routes were read to the end at least once. */
  public boolean caughtUp() {
    return reader.isCaughtUp();
  }

  /** Whether Sidetrack's Kafka answered recently. */
  public boolean kafkaReachable() {
    return reader.kafkaReachable();
  }

  /** Every route entry before this offset of the workload's partition is applied. */
  public long appliedOffset() {
    return keeper.appliedOffset;
  }

  /** Route entries refused: no trusted router signed them. */
  public long refusedRoutes() {
    return keeper.refused.get();
  }

  @Override
  public void close() {
    if (heartbeats != null) {
      heartbeats.close();
    }
    reader.close();
  }

  /** Folds route records into the routing; runs on the reader's thread. */
  static final class Keeper
      implements RecordHandler<String, Route>, io.sidetrack.schemas.heartbeat.Heartbeats.Progress {
    private final String workload;
    private final TrustedKeys trusted;
    private final AtomicLong refused = new AtomicLong();
    volatile RecordRouting routing = RecordRouting.empty();
    volatile long appliedOffset;
    volatile int partition = -1;
    volatile boolean ready;

    // the reader thread's own
    private TopicPartition reading;
    private Map<String, Route> loading;
    private RecordRouting next = RecordRouting.empty();

    Keeper(String workload, TrustedKeys trusted) {
      this.workload = requireNonNull(workload, "workload");
      this.trusted = trusted;
    }

    @Override
    public void assigned(Set<TopicPartition> added, Set<TopicPartition> removed) {
      if (added.isEmpty()) {
        return;
      }
      reading = added.iterator().next();
      partition = reading.partition();
      appliedOffset = 0;
      loading = new HashMap<>();
    }

    @Override
    public void apply(FeedRecord<String, Route> r) {
      String id = RouteKeys.idOf(r.key());
      Route route = r.value();
      if (route != null && !route.topics().isEmpty() && trusted != null) {
        Verification v = trusted.verify(route);
        if (!v.isTrusted()) {
          // not applied: what was there for its id stays, as in an edge agent
          refused.incrementAndGet();
          LOG.warn("Sidetrack interceptor of {}: route {} refused: {}", workload, id, v.reason());
          return;
        }
      }
      boolean takesRecords = route != null && !route.topics().isEmpty();
      if (loading != null) {
        if (takesRecords) {
          loading.put(id, route);
        } else {
          loading.remove(id);
        }
        return;
      }
      next = takesRecords ? next.with(route) : next.without(id);
    }

    @Override
    public void caughtUp(Map<TopicPartition, Long> applied) {
      if (loading == null) {
        return;
      }
      next = RecordRouting.compile(loading.values());
      loading = null;
      routing = next;
      appliedOffset = applied.getOrDefault(reading, 0L);
      ready = true;
      LOG.info(
          "Sidetrack interceptor of {}: {} routes take records of {} (partition {}, offset {})",
          workload,
          next.size(),
          next.topics(),
          reading.partition(),
          appliedOffset);
    }

    @Override
    public void afterBatch(Map<TopicPartition, Long> applied) {
      if (loading != null) {
        return;
      }
      if (next != routing) {
        routing = next;
        LOG.info(
            "Sidetrack interceptor of {}: {} routes take records of {}",
            workload,
            next.size(),
            next.topics());
      }
      Long at = applied.get(reading);
      if (at != null) {
        appliedOffset = at;
      }
    }

    @Override
    public void skipped(SkippedRecord record) {
      LOG.warn("Sidetrack interceptor of {}: a route record was skipped", workload);
    }

    @Override
    public int partition() {
      return partition;
    }

    @Override
    public long appliedOffset() {
      return appliedOffset;
    }

    @Override
    public boolean ready() {
      return ready;
    }

    @Override
    public int routes() {
      return routing.size();
    }
  }
}
