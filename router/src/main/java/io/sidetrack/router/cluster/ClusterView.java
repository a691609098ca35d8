package io.sidetrack.router.cluster;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.RouteKeys;
import io.sidetrack.core.Topics;
import io.sidetrack.core.records.RecordRouting;
import io.sidetrack.core.routing.Route;
import io.sidetrack.feed.CompactedTopicReader;
import io.sidetrack.feed.CompactedTopicReaderBuilder;
import io.sidetrack.feed.FeedRecord;
import io.sidetrack.feed.RecordHandler;
import io.sidetrack.feed.Source;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.AgentHeartbeat;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.serde.AvroSerde;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the router knows of the cluster, read from Kafka: every route entry with its offset (all of
 * {@code sidetrack.routes}), every agent's last heartbeat ({@code sidetrack.agents}), and the
 * decisions registry-stream makes from now on ({@code sidetrack.audit}). One thread reads all three
 * (assigned partitions, no consumer group) and tells a listener after each batch.
 *
 * <p>Which agents count as live is decided here, once ({@link #agents}): an agent silent for longer
 * than the agent timeout is not, its silence measured up to the last time this view read Kafka, so
 * that a router cut off from Kafka (a broker failing over) does not age the agents it cannot hear.
 */
public final class ClusterView implements ClusterState, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterView.class);

  /** A route entry and where it sits in {@code sidetrack.routes}. */
  public record RouteAt(Route route, int partition, long offset) {}

  /** An agent's last heartbeat. */
  public record Agent(
      String agentId,
      String workload,
      int partition,
      long appliedOffset,
      boolean ready,
      int routes,
      Instant startedAt,
      Instant time) {}

  /** What one batch changed, handed to the listener on the view's thread. */
  public record Batch(List<AuditEvent> audit) {}

  private final Topics.Names topics;
  private final Clock clock;
  private final Consumer<Batch> listener;
  private final Map<String, RouteAt> routes = new ConcurrentHashMap<>();
  private final AtomicLong routesVersion = new AtomicLong();
  private final Map<String, CompiledRouting> recordRoutings = new ConcurrentHashMap<>();
  private final Heartbeats heartbeats;
  private final CompactedTopicReader<String, Object> reader;
  private volatile boolean ready;

  // the reader thread's own: what the current poll brought
  private List<AuditEvent> audit = new ArrayList<>();
  private boolean changed;

  public ClusterView(
      String bootstrapServers,
      Map<String, String> kafkaProperties,
      Topics.Names topics,
      AvroSerde<RouteEntry> routeSerde,
      AvroSerde<AgentHeartbeat> agentSerde,
      AvroSerde<AuditEvent> auditSerde,
      Duration agentTimeout,
      Consumer<Batch> listener) {
    this(
        topics,
        routeSerde,
        agentSerde,
        auditSerde,
        agentTimeout,
        Clock.systemUTC(),
        listener,
        reader -> reader.consumerProperties(consumerProperties(bootstrapServers, kafkaProperties)));
  }

  /**
   * @param clock the router's time, against which agents age while the view reads
   * @param connect how the reader reaches Kafka (its consumer's properties, or a test's consumer)
   */
  ClusterView(
      Topics.Names topics,
      AvroSerde<RouteEntry> routeSerde,
      AvroSerde<AgentHeartbeat> agentSerde,
      AvroSerde<AuditEvent> auditSerde,
      Duration agentTimeout,
      Clock clock,
      Consumer<Batch> listener,
      UnaryOperator<CompactedTopicReaderBuilder<String, Object>> connect) {
    this.topics = requireNonNull(topics, "topics");
    requireNonNull(routeSerde, "routeSerde");
    requireNonNull(agentSerde, "agentSerde");
    requireNonNull(auditSerde, "auditSerde");
    this.clock = requireNonNull(clock, "clock");
    this.heartbeats = new Heartbeats(agentTimeout, clock.instant());
    this.listener = requireNonNull(listener, "listener");
    // each topic's records become their core form here, so a failure is the reader's to skip
    Deserializer<Object> values =
        (topic, data) -> {
          if (topic.equals(topics.routes())) {
            return AvroMapping.toRoute(routeSerde.deserialize(topic, data));
          }
          if (topic.equals(topics.agents())) {
            return agent(agentSerde.deserialize(topic, data));
          }
          return auditSerde.deserialize(topic, data);
        };
    this.reader =
        connect
            .apply(CompactedTopicReader.builder("cluster-view", new StringDeserializer(), values))
            .source(Source.all(topics.routes()))
            .source(Source.all(topics.agents()))
            .source(Source.tail(topics.audit()))
            .filter((topic, key) -> key != null || topic.equals(topics.audit()))
            .handler(new Handler())
            .build();
  }

  private static Map<String, Object> consumerProperties(
      String bootstrapServers, Map<String, String> kafkaProperties) {
    Map<String, Object> props = new HashMap<>(kafkaProperties);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // bounds how late the router sees a decision or a heartbeat: activation waits on both
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    props.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2_000);
    return props;
  }

  public void start() {
    reader.start();
  }

  @Override
  public boolean ready() {
    return ready;
  }

  @Override
  public Optional<RouteAt> route(String interceptId) {
    return Optional.ofNullable(routes.get(interceptId));
  }

  /**
   * The routing of {@code workload}'s records by its routes as last read: the decision its
   * consumers' interceptors make. Compiled again only after its routes changed.
   */
  public RecordRouting recordRouting(String workload) {
    long version = routesVersion.get();
    CompiledRouting c = recordRoutings.get(workload);
    if (c != null && c.version() == version) {
      return c.routing();
    }
    List<Route> of = new ArrayList<>();
    for (RouteAt r : routes.values()) {
      if (r.route().workload().equals(workload) && !r.route().topics().isEmpty()) {
        of.add(r.route());
      }
    }
    RecordRouting routing = RecordRouting.compile(of);
    recordRoutings.put(workload, new CompiledRouting(version, routing));
    return routing;
  }

  private record CompiledRouting(long version, RecordRouting routing) {}

  /** Every active intercept's route entry. */
  public Collection<RouteAt> routes() {
    return List.copyOf(routes.values());
  }

  /**
   * What can be said of {@code workload}'s agents: {@link Liveness.Live} those heard within the
   * agent timeout; else {@link Liveness.Silent} if one that stopped without a tombstone was heard
   * within {@link Heartbeats#SILENT_AGENTS_WAITED}; else {@link Liveness.Unknown}. Silences are
   * measured up to the last time this view read Kafka.
   */
  @Override
  public Liveness agents(String workload) {
    return heartbeats.of(workload);
  }

  /** Every live agent, of any workload (as {@link #agents} decides). */
  public List<Agent> liveAgents() {
    return heartbeats.live();
  }

  /** The live agents of a workload (as {@link #agents} decides). */
  public List<Agent> liveAgents(String workload) {
    return agents(workload).live();
  }

  /**
   * The time of the last heartbeat of any agent of {@code workload} that did not stop cleanly (no
   * tombstone), live or not: an agent whose heartbeats stopped arriving was seen then.
   */
  public Optional<Instant> lastHeard(String workload) {
    return heartbeats.lastHeard(workload);
  }

  /** Whether Kafka answered the reader's last check (every few seconds). */
  public boolean kafkaReachable() {
    return reader.kafkaReachable();
  }

  private static Agent agent(AgentHeartbeat h) {
    return new Agent(
        h.getAgentId(),
        h.getWorkload(),
        h.getPartition(),
        h.getAppliedOffset(),
        h.getReady(),
        h.getRoutes(),
        h.getStartedAt(),
        h.getTime());
  }

  /** Applies each record to the maps and tells the listener after each poll that brought any. */
  private final class Handler implements RecordHandler<String, Object> {
    @Override
    public void apply(FeedRecord<String, Object> r) {
      changed = true;
      if (r.topic().equals(topics.routes())) {
        String id = RouteKeys.idOf(r.key());
        if (r.value() == null) {
          routes.remove(id);
        } else {
          routes.put(id, new RouteAt((Route) r.value(), r.partition(), r.offset()));
        }
        routesVersion.incrementAndGet(); // after the change: a routing compiled before is stale
      } else if (r.topic().equals(topics.agents())) {
        if (r.value() == null) {
          heartbeats.stopped(r.key());
        } else {
          heartbeats.beat(r.key(), (Agent) r.value());
        }
      } else if (r.value() != null) {
        audit.add((AuditEvent) r.value());
      }
    }

    @Override
    public void caughtUp(Map<TopicPartition, Long> applied) {
      if (!ready) {
        ready = true;
        LOG.info("Cluster view ready: {} routes, {} agents", routes.size(), heartbeats.size());
      }
    }

    @Override
    public void afterBatch(Map<TopicPartition, Long> applied) {
      // read to the end once, and polled while Kafka answers: what agents wrote until now is heard.
      // A poll while Kafka is away returns nothing; the reader notices within its check (seconds)
      if (ready && reader.kafkaReachable()) {
        heartbeats.readAt(clock.instant());
      }
      if (!changed) {
        return;
      }
      Batch batch = new Batch(List.copyOf(audit));
      audit = new ArrayList<>();
      changed = false;
      // a listener that throws is the reader's to log; the view goes on
      listener.accept(batch);
    }
  }

  @Override
  public void close() {
    reader.close();
  }
}
