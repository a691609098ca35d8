package io.sidetrack.chaos.harness;

import static org.awaitility.Awaitility.await;

import io.sidetrack.embedded.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * One Kafka node (KRaft, broker and controller) as its own process, {@code sidetrack kafka-server}
 * with fixed ports chosen once, so that a restart comes back where its clients look for it. A
 * second client listener, {@code RELAYED}, advertises the address of a {@link TcpRelay} in front of
 * it: the partitionable path of {@link KafkaUnderTest}.
 */
public final class SingleBrokerKafka implements KafkaUnderTest {
  private final int port = Ports.free();
  private final int relayedPort = Ports.free();
  private final int controllerPort = Ports.free();
  private final TcpRelay relay;
  private final SidetrackProcess process;

  public SingleBrokerKafka(Vertx vertx, Path dir, Map<String, String> environment) {
    relay = TcpRelay.start(vertx, 0, SocketAddress.inetSocketAddress(relayedPort, "127.0.0.1"));
    List<String> args =
        new ArrayList<>(
            List.of(
                "kafka-server",
                "--cluster-id",
                org.apache.kafka.common.Uuid.randomUuid().toString()));
    Map<String, String> props =
        Map.ofEntries(
            Map.entry("process.roles", "broker,controller"),
            Map.entry("node.id", "1"),
            Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controllerPort),
            Map.entry(
                "listeners",
                "PLAINTEXT://127.0.0.1:"
                    + port
                    + ",RELAYED://127.0.0.1:"
                    + relayedPort
                    + ",CONTROLLER://127.0.0.1:"
                    + controllerPort),
            Map.entry(
                "advertised.listeners",
                "PLAINTEXT://127.0.0.1:" + port + ",RELAYED://" + relay.address()),
            Map.entry("controller.listener.names", "CONTROLLER"),
            Map.entry("inter.broker.listener.name", "PLAINTEXT"),
            Map.entry(
                "listener.security.protocol.map",
                "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,RELAYED:PLAINTEXT"),
            Map.entry("log.dirs", dir.resolve("kafka-logs").toString()),
            Map.entry("offsets.topic.replication.factor", "1"),
            Map.entry("transaction.state.log.replication.factor", "1"),
            Map.entry("transaction.state.log.min.isr", "1"),
            Map.entry("share.coordinator.state.topic.replication.factor", "1"),
            Map.entry("share.coordinator.state.topic.min.isr", "1"),
            Map.entry("group.initial.rebalance.delay.ms", "0"),
            Map.entry("auto.create.topics.enable", "false"));
    props.forEach((k, v) -> args.addAll(List.of("--property", k + "=" + v)));
    Map<String, String> env = new java.util.TreeMap<>(environment);
    env.put("JAVA_OPTS", "-Xmx512m");
    process = new SidetrackProcess("kafka-1", dir, env, args.toArray(String[]::new));
  }

  @Override
  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  @Override
  public String partitionableBootstrap() {
    return relay.address();
  }

  @Override
  public void partition() {
    relay.blackhole();
  }

  @Override
  public void heal() {
    relay.heal();
  }

  @Override
  public int brokers() {
    return 1;
  }

  @Override
  public void kill(int i) {
    check(i);
    process.kill();
  }

  @Override
  public void restart(int i) {
    check(i);
    process.start();
    awaitAnswers();
  }

  @Override
  public void stopAll() {
    process.kill();
  }

  @Override
  public void startAll() {
    if (!process.alive()) {
      process.start();
    }
    awaitAnswers();
  }

  @Override
  public List<ObservedProcess> processes() {
    return List.of(process);
  }

  private void awaitAnswers() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    try (Admin admin = Admin.create(props)) {
      await()
          .atMost(ChaosCluster.STARTUP)
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(
              () -> {
                if (!process.alive()) {
                  throw new AssertionError("kafka-1 exited: see " + process.log());
                }
                return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == 1;
              });
    }
  }

  private static void check(int i) {
    if (i != 0) {
      throw new IllegalArgumentException("one broker: index 0 only, got " + i);
    }
  }

  @Override
  public void close() {
    process.kill();
    relay.close();
  }
}
