package io.sidetrack.chaos.harness;

/**
 * The Kafka cluster the scenarios run against, as processes of their own. One broker for now
 * ({@link SingleBrokerKafka}); a multi-broker cluster plugs in behind the same methods, broker
 * indexes counting from 0.
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
  java.util.List<SidetrackProcess> processes();

  @Override
  void close();
}
