package io.sidetrack.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.apache.kafka.common.serialization.IntegerSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three Kafka nodes in three JVMs: a topic keeps every acknowledged record, in order and once,
 * while its leader is killed with {@code SIGKILL} and started again, and a consumer group keeps
 * reading.
 */
@Tag("slow")
@Timeout(300)
class EmbeddedClusterIT {
  private static final String TOPIC = "failover";
  private static final int RATE_PER_SECOND = 200;

  @Test
  void killedLeaderLosesNoAcknowledgedRecordAndRejoinsTheIsrAfterRestart() throws Exception {
    List<Long> pids = new ArrayList<>();
    try (EmbeddedCluster cluster = EmbeddedCluster.startTemporary(3);
        Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
      for (int id = 1; id <= 3; id++) {
        pids.add(cluster.pid(id));
      }
      assertThat(cluster.bootstrapServers().split(",")).hasSize(3);
      assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);

      // a topic created with neither takes the cluster's defaults: RF 3, min ISR 2
      admin
          .createTopics(List.of(new NewTopic(TOPIC, Optional.of(1), Optional.empty())))
          .all()
          .get(30, TimeUnit.SECONDS);
      TopicPartitionInfo partition = partition(admin);
      assertThat(partition.replicas()).hasSize(3);
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
      assertThat(
              admin
                  .describeConfigs(List.of(resource))
                  .all()
                  .get(30, TimeUnit.SECONDS)
                  .get(resource)
                  .get("min.insync.replicas")
                  .value())
          .isEqualTo("2");

      Load load = new Load(cluster.bootstrapServers());
      Thread producer = new Thread(load::produce, "load");
      Thread consumer = new Thread(load::consume, "group-consumer");
      producer.start();
      consumer.start();
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> load.acked.get() >= 400);
        int leader = partition(admin).leader().id();
        int ackedAtKill = load.acked.get();
        long killedAt = System.nanoTime();
        cluster.kill(leader);
        assertThat(cluster.isAlive(leader)).isFalse();

        // a new leader takes over and writes continue (acks=all: two replicas left, min ISR 2)
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> load.acked.get() >= ackedAtKill + 2 * RATE_PER_SECOND);
        System.out.printf(
            "leader %d killed: longest wait for an acknowledgement %d ms, %d acknowledged since%n",
            leader, load.longestGapMillis.get(), load.acked.get() - ackedAtKill);
        TopicPartitionInfo after = partition(admin);
        assertThat(after.leader().id()).isNotEqualTo(leader);
        assertThat(after.isr()).extracting(n -> n.id()).doesNotContain(leader).hasSize(2);

        cluster.restart(leader);
        long restartedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(90)).until(() -> partition(admin).isr().size() == 3);
        System.out.printf(
            "node %d back in the ISR %.1f s after its restart (%.1f s after the kill)%n",
            leader, (System.nanoTime() - restartedAt) / 1e9, (System.nanoTime() - killedAt) / 1e9);
        int ackedAtRestart = load.acked.get();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> load.acked.get() >= ackedAtRestart + RATE_PER_SECOND);
      } finally {
        load.running.set(false);
        producer.join(60_000);
      }
      assertThat(load.failures).as("failed sends").isEmpty();
      int sent = load.sent.get();
      assertThat(load.acked.get()).isEqualTo(sent);

      // the log holds every record once and in order; the group consumer saw them all
      assertThat(readAll(cluster.bootstrapServers(), sent)).isEqualTo(range(sent));
      await().atMost(Duration.ofSeconds(60)).until(() -> load.consumed.size() == sent);
      load.consuming.set(false);
      consumer.join(30_000);
      assertThat(load.consumed).containsAll(range(sent));
    }
    // close() stopped every node's JVM
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("pid " + pid)
          .isFalse();
    }
  }

  @Test
  void nodesDieWithTheJvmThatStartedThem() throws Exception {
    Path out = Files.createTempFile("cluster-parent", ".out");
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            ClusterParent.class.getName());
    Process parent =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> Files.readString(out).contains("pids ") || !parent.isAlive());
      String line =
          Files.readAllLines(out).stream()
              .filter(l -> l.startsWith("pids "))
              .findFirst()
              .orElseThrow();
      List<ProcessHandle> nodes = new ArrayList<>();
      for (String pid : line.substring(5).split(",")) {
        nodes.add(ProcessHandle.of(Long.parseLong(pid)).orElseThrow());
      }
      assertThat(nodes).hasSize(2).allMatch(ProcessHandle::isAlive);

      parent.destroyForcibly(); // kill -9: no shutdown hook runs
      parent.waitFor(30, TimeUnit.SECONDS);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> nodes.stream().noneMatch(ProcessHandle::isAlive));
    } finally {
      parent.destroyForcibly();
    }
  }

  /** Starts a two-node cluster, prints its nodes' pids and waits to be killed. */
  static final class ClusterParent {
    public static void main(String[] args) throws Exception {
      EmbeddedCluster cluster = EmbeddedCluster.startTemporary(2);
      System.out.println("pids " + cluster.pid(1) + "," + cluster.pid(2));
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  private static TopicPartitionInfo partition(Admin admin) throws Exception {
    TopicDescription d =
        admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC);
    return d.partitions().get(0);
  }

  private static List<Integer> range(int n) {
    List<Integer> all = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      all.add(i);
    }
    return all;
  }

  private static List<Integer> readAll(String bootstrap, int count) {
    List<Integer> values = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
            new IntegerDeserializer(),
            new IntegerDeserializer())) {
      TopicPartition tp = new TopicPartition(TOPIC, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (values.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<Integer, Integer> r : consumer.poll(Duration.ofMillis(500))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }

  /** An idempotent producer at a fixed rate and a consumer group member, counting everything. */
  private static final class Load {
    final String bootstrap;
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicBoolean consuming = new AtomicBoolean(true);
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger acked = new AtomicInteger();
    final AtomicLong lastAck = new AtomicLong(System.nanoTime());
    final AtomicLong longestGapMillis = new AtomicLong();
    final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    final Set<Integer> consumed = ConcurrentHashMap.newKeySet();

    Load(String bootstrap) {
      this.bootstrap = bootstrap;
    }

    void produce() {
      try (var producer =
          new KafkaProducer<>(
              Map.<String, Object>of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  bootstrap,
                  ProducerConfig.ACKS_CONFIG,
                  "all",
                  ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                  true,
                  ProducerConfig.LINGER_MS_CONFIG,
                  0),
              new IntegerSerializer(),
              new IntegerSerializer())) {
        long interval = TimeUnit.SECONDS.toNanos(1) / RATE_PER_SECOND;
        long next = System.nanoTime();
        while (running.get()) {
          int value = sent.getAndIncrement();
          producer.send(
              new ProducerRecord<>(TOPIC, value, value),
              (meta, e) -> {
                if (e != null) {
                  failures.add(value + ": " + e);
                  return;
                }
                long now = System.nanoTime();
                long gap = (now - lastAck.getAndSet(now)) / 1_000_000;
                longestGapMillis.accumulateAndGet(gap, Math::max);
                acked.incrementAndGet();
              });
          next += interval;
          long wait = next - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
        }
        producer.flush();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    void consume() {
      try (var consumer =
          new KafkaConsumer<>(
              Map.<String, Object>of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                  ConsumerConfig.GROUP_ID_CONFIG, "failover-readers",
                  ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
              new IntegerDeserializer(),
              new IntegerDeserializer())) {
        consumer.subscribe(List.of(TOPIC));
        while (consuming.get()) {
          for (ConsumerRecord<Integer, Integer> r : consumer.poll(Duration.ofMillis(200))) {
            consumed.add(r.value());
          }
        }
      }
    }
  }
}
