package io.sidetrack.router.cluster;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.RouteKeys;
import io.sidetrack.core.Topics;
import io.sidetrack.core.routing.Route;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.AgentHeartbeat;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.serde.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the router knows of the cluster, read from Kafka: every route entry with its offset (all of
 * {@code sidetrack.routes}), every agent's last heartbeat ({@code sidetrack.agents}), and the
 * decisions registry-stream makes from now on ({@code sidetrack.audit}). One thread reads all three
 * (assigned partitions, no consumer group) and tells a listener after each batch.
 */
public final class ClusterView implements AutoCloseable {
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
  private final Map<String, Object> consumerProps;
  private final AvroSerde<RouteEntry> routeSerde;
  private final AvroSerde<AgentHeartbeat> agentSerde;
  private final AvroSerde<AuditEvent> auditSerde;
  private final Duration agentTimeout;
  private final Consumer<Batch> listener;
  private final Map<String, RouteAt> routes = new ConcurrentHashMap<>();
  private final Map<String, Agent> agents = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private volatile boolean running = true;
  private volatile boolean ready;
  private volatile boolean kafkaReachable;

  public ClusterView(
      String bootstrapServers,
      Map<String, String> kafkaProperties,
      Topics.Names topics,
      AvroSerde<RouteEntry> routeSerde,
      AvroSerde<AgentHeartbeat> agentSerde,
      AvroSerde<AuditEvent> auditSerde,
      Duration agentTimeout,
      Consumer<Batch> listener) {
    this.topics = requireNonNull(topics, "topics");
    this.routeSerde = requireNonNull(routeSerde, "routeSerde");
    this.agentSerde = requireNonNull(agentSerde, "agentSerde");
    this.auditSerde = requireNonNull(auditSerde, "auditSerde");
    this.agentTimeout = requireNonNull(agentTimeout, "agentTimeout");
    this.listener = requireNonNull(listener, "listener");
    Map<String, Object> props = new HashMap<>(kafkaProperties);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // bounds how late the router sees a decision or a heartbeat: activation waits on both
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    props.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2_000);
    this.consumerProps = props;
    this.thread = new Thread(this::run, "cluster-view");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** Whether routes and agents were read to the end once. */
  public boolean ready() {
    return ready;
  }

  public boolean kafkaReachable() {
    return kafkaReachable;
  }

  /** The route entry of an intercept. */
  public Optional<RouteAt> route(String interceptId) {
    return Optional.ofNullable(routes.get(interceptId));
  }

  /** Every active intercept's route entry. */
  public Collection<RouteAt> routes() {
    return List.copyOf(routes.values());
  }

  /** Agents whose last heartbeat is younger than the agent timeout. */
  public List<Agent> liveAgents() {
    Instant cutoff = Instant.now().minus(agentTimeout);
    List<Agent> live = new ArrayList<>();
    for (Agent a : agents.values()) {
      if (a.time().isAfter(cutoff)) {
        live.add(a);
      }
    }
    return live;
  }

  /** The live agents of a workload. */
  public List<Agent> liveAgents(String workload) {
    return liveAgents().stream().filter(a -> a.workload().equals(workload)).toList();
  }

  private void run() {
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer = c;
      List<TopicPartition> routeParts = partitions(c, topics.routes());
      List<TopicPartition> agentParts = partitions(c, topics.agents());
      List<TopicPartition> auditParts = partitions(c, topics.audit());
      if (!running) {
        return;
      }
      List<TopicPartition> all = new ArrayList<>(routeParts);
      all.addAll(agentParts);
      all.addAll(auditParts);
      c.assign(all);
      c.seekToBeginning(routeParts);
      c.seekToBeginning(agentParts);
      c.seekToEnd(auditParts);
      List<TopicPartition> compacted = new ArrayList<>(routeParts);
      compacted.addAll(agentParts);
      Map<TopicPartition, Long> ends = c.endOffsets(compacted);
      kafkaReachable = true;
      while (running) {
        ConsumerRecords<String, byte[]> records;
        try {
          records = c.poll(Duration.ofMillis(200));
          kafkaReachable = true;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
          kafkaReachable = false;
          continue;
        }
        List<AuditEvent> audit = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
          String topic = r.topic();
          if (topic.equals(topics.routes())) {
            applyRoute(r);
          } else if (topic.equals(topics.agents())) {
            applyAgent(r);
          } else {
            AuditEvent e = decode(auditSerde, r);
            if (e != null) {
              audit.add(e);
            }
          }
        }
        if (!ready && caughtUp(c, ends)) {
          ready = true;
          LOG.info("Cluster view ready: {} routes, {} agents", routes.size(), agents.size());
        }
        if (!records.isEmpty()) {
          listener.accept(new Batch(audit));
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      if (running) {
        LOG.error("Cluster view stopped", e);
      }
    }
  }

  private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c, String topic) {
    while (running) {
      try {
        List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(5));
        kafkaReachable = true;
        if (infos != null && !infos.isEmpty()) {
          return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        }
        LOG.warn("Topic {} does not exist yet; waiting for registry-stream to create it", topic);
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        kafkaReachable = false;
        LOG.warn("Kafka unreachable while looking up {}; retrying", topic);
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
    }
    return List.of();
  }

  private static boolean caughtUp(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> ends) {
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void applyRoute(ConsumerRecord<String, byte[]> r) {
    if (r.key() == null) {
      return;
    }
    String id = RouteKeys.idOf(r.key());
    if (r.value() == null) {
      routes.remove(id);
      return;
    }
    RouteEntry entry = decode(routeSerde, r);
    if (entry != null) {
      routes.put(id, new RouteAt(AvroMapping.toRoute(entry), r.partition(), r.offset()));
    }
  }

  private void applyAgent(ConsumerRecord<String, byte[]> r) {
    if (r.key() == null) {
      return;
    }
    if (r.value() == null) {
      agents.remove(r.key());
      return;
    }
    AgentHeartbeat h = decode(agentSerde, r);
    if (h != null) {
      agents.put(
          r.key(),
          new Agent(
              h.getAgentId(),
              h.getWorkload(),
              h.getPartition(),
              h.getAppliedOffset(),
              h.getReady(),
              h.getRoutes(),
              h.getStartedAt(),
              h.getTime()));
    }
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> T decode(
      AvroSerde<T> serde, ConsumerRecord<String, byte[]> r) {
    try {
      return serde.deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      LOG.warn(
          "Record {} at {}-{}@{} skipped: {}",
          r.key(),
          r.topic(),
          r.partition(),
          r.offset(),
          e.getMessage());
      return null;
    }
  }

  @Override
  public void close() {
    running = false;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
