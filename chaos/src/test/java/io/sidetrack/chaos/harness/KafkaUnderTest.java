package io.sidetrack.chaos.harness;

/**
 * The Kafka cluster the scenarios run against, as processes of their own: one broker ({@link
 * SingleBrokerKafka}) or a KRaft cluster of several ({@link ClusterKafka}), picked by {@link #of}.
 * Broker indexes count from 0.
 *
 * <p>Besides its ordinary listener, the cluster has a listener path that runs through relays the
 * test controls ({@link #partitionableBootstrap()}): a client bootstrapped there is told the
 * relays' addresses as the brokers' (advertised listeners), so all of its traffic crosses them and
 * {@link #partition()} cuts it off from Kafka while everything else keeps its connections.
 */
public interface KafkaUnderTest extends AutoCloseable {
  /** {@code bootstrap.servers} of the ordinary listener. */
  String bootstrap();

  /** {@code bootstrap.servers} through the test's relays (see {@link #partition()}). */
  String partitionableBootstrap();

  /** Drops all traffic of the clients bootstrapped at {@link #partitionableBootstrap()}. */
  void partition();

  /** Ends {@link #partition()}. */
  void heal();

  /** How many brokers the cluster has. */
  int brokers();

  /** {@code kill -9} of broker {@code i}. */
  void kill(int i);

  /** Starts broker {@code i} again on its ports and log directories. */
  void restart(int i);

  /** Kills every broker. */
  void stopAll();

  /** Starts every broker that is not running; returns once the cluster answers. */
  void startAll();

  /** Every broker's process (for memory samples and logs). */
  java.util.List<ObservedProcess> processes();

  /** The system property that picks how many brokers the scenarios run against. */
  String BROKERS_PROPERTY = "sidetrack.chaos.brokers";

  /**
   * The Kafka of a run, not started yet: {@code -Dsidetrack.chaos.brokers=N} brokers when set, else
   * {@code defaultBrokers}; 1 is {@link SingleBrokerKafka}, 3 to 5 a {@link ClusterKafka}.
   */
  static KafkaUnderTest of(
      int defaultBrokers,
      io.vertx.core.Vertx vertx,
      java.nio.file.Path dir,
      java.util.Map<String, String> environment) {
    int brokers = Integer.getInteger(BROKERS_PROPERTY, defaultBrokers);
    if (brokers == 1) {
      return new SingleBrokerKafka(vertx, dir, environment);
    }
    if (brokers < 3 || brokers > io.sidetrack.embedded.EmbeddedCluster.MAX_NODES) {
      // two voters cannot lose one: a cluster for failure scenarios has at least three
      throw new IllegalArgumentException(
          BROKERS_PROPERTY
              + " is 1 or 3 to "
              + io.sidetrack.embedded.EmbeddedCluster.MAX_NODES
              + ", not "
              + brokers);
    }
    return new ClusterKafka(vertx, dir.resolve("kafka"), brokers);
  }

  @Override
  void close();
}
