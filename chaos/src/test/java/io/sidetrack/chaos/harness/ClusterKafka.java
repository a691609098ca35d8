package io.sidetrack.chaos.harness;

import io.sidetrack.embedded.EmbeddedCluster;
import io.sidetrack.embedded.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * A KRaft cluster of {@code n} nodes (each a broker and a controller, an {@code n}-voter quorum,
 * replication factor 3 and {@code min.insync.replicas} 2), each node a JVM of its own run by {@link
 * EmbeddedCluster}, as {@code sidetrack up --brokers 3} runs it. Every node has a second client
 * listener, {@code RELAYED}, that advertises the address of a {@link TcpRelay} of its own: a client
 * bootstrapped at {@link #partitionableBootstrap()} learns the relays' addresses as the brokers'
 * and so reaches every broker only through them, which {@link #partition()} cuts.
 */
public final class ClusterKafka implements KafkaUnderTest {
  private static final String RELAYED = "RELAYED";

  private final Path dir;
  private final int nodes;
  private final List<Integer> relayedPorts = new ArrayList<>();
  private final List<TcpRelay> relays = new ArrayList<>();
  private EmbeddedCluster cluster;

  /** Not started: {@link #startAll()} starts the nodes, data and logs under {@code dir}. */
  public ClusterKafka(Vertx vertx, Path dir, int nodes) {
    this.dir = dir;
    this.nodes = nodes;
    for (int i = 0; i < nodes; i++) {
      int port = Ports.free();
      relayedPorts.add(port);
      relays.add(TcpRelay.start(vertx, 0, SocketAddress.inetSocketAddress(port, "127.0.0.1")));
    }
  }

  @Override
  public String bootstrap() {
    return started().bootstrapServers();
  }

  @Override
  public String partitionableBootstrap() {
    return relays.stream().map(TcpRelay::address).collect(Collectors.joining(","));
  }

  @Override
  public void partition() {
    relays.forEach(TcpRelay::blackhole);
  }

  @Override
  public void heal() {
    relays.forEach(TcpRelay::heal);
  }

  @Override
  public int brokers() {
    return nodes;
  }

  @Override
  public void kill(int i) {
    try {
      started().kill(nodeId(i));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Starts broker {@code i} again and returns once every broker is registered and serving. */
  @Override
  public void restart(int i) {
    try {
      started().restart(nodeId(i));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void stopAll() {
    for (int i = 0; i < nodes; i++) {
      if (started().isAlive(nodeId(i))) {
        kill(i);
      }
    }
  }

  @Override
  public void startAll() {
    try {
      if (cluster == null) {
        cluster =
            EmbeddedCluster.start(
                dir,
                nodes,
                false,
                new EmbeddedCluster.ExtraListener(
                    RELAYED, relayedPorts, relays.stream().map(TcpRelay::address).toList()));
      } else {
        cluster.restartStopped();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public List<ObservedProcess> processes() {
    List<ObservedProcess> all = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      all.add(new Node(nodeId(i)));
    }
    return all;
  }

  /** The broker (index) that leads partition {@code partition} of {@code topic}. */
  public int leaderOf(String topic, int partition) {
    TopicPartitionInfo info = describe(List.of(topic)).get(topic).partitions().get(partition);
    if (info.leader() == null || info.leader().id() < 0) {
      throw new IllegalStateException(topic + "-" + partition + " has no leader");
    }
    return index(info.leader().id());
  }

  /** The broker (index) that leads the metadata quorum (the active controller). */
  public int quorumLeader() {
    try (Admin admin = admin()) {
      return index(
          admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS).leaderId());
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot describe the metadata quorum", e);
    }
  }

  /** The partitions of {@code topics} that broker {@code i} leads, as {@code topic-partition}. */
  public Set<String> ledBy(int i, Collection<String> topics) {
    int id = nodeId(i);
    return describe(topics).values().stream()
        .flatMap(
            d ->
                d.partitions().stream()
                    .filter(p -> p.leader() != null && p.leader().id() == id)
                    .map(p -> d.name() + "-" + p.partition()))
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  /**
   * The partitions of {@code topics} whose in-sync replicas are fewer than their replicas, as
   * {@code topic-partition}: empty once a restarted broker has caught up everywhere.
   */
  public Set<String> underReplicated(Collection<String> topics) {
    return describe(topics).values().stream()
        .flatMap(
            d ->
                d.partitions().stream()
                    .filter(p -> p.isr().size() < p.replicas().size())
                    .map(p -> d.name() + "-" + p.partition()))
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  /** Every topic of the cluster, Kafka's internal ones included. */
  public Set<String> topics() {
    try (Admin admin = admin()) {
      return admin
          .listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
          .names()
          .get(10, TimeUnit.SECONDS);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot list the topics", e);
    }
  }

  private Map<String, TopicDescription> describe(Collection<String> topics) {
    try (Admin admin = admin()) {
      return new TreeMap<>(admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS));
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot describe " + topics, e);
    }
  }

  private Admin admin() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "8000");
    return Admin.create(props);
  }

  private EmbeddedCluster started() {
    if (cluster == null) {
      throw new IllegalStateException("the Kafka cluster is not started");
    }
    return cluster;
  }

  private int nodeId(int i) {
    if (i < 0 || i >= nodes) {
      throw new IllegalArgumentException(
          nodes + " brokers: index 0 to " + (nodes - 1) + ", got " + i);
    }
    return i + 1;
  }

  private static int index(int nodeId) {
    return nodeId - 1;
  }

  /** Node {@code id}'s JVM, as the soak samples it. */
  private final class Node implements ObservedProcess {
    private final int id;

    Node(int id) {
      this.id = id;
    }

    @Override
    public String name() {
      return "kafka-" + id;
    }

    @Override
    public Path log() {
      return started().log(id);
    }

    @Override
    public OptionalLong rssBytes() {
      if (cluster == null || !cluster.isAlive(id)) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(SidetrackProcess.vmRss(cluster.pid(id)));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Node n && n.id == id;
    }

    @Override
    public int hashCode() {
      return id;
    }
  }

  @Override
  public void close() {
    if (cluster != null) {
      cluster.close();
    }
    relays.forEach(TcpRelay::close);
  }
}
