package io.sidetrack.cli.dev;

import io.sidetrack.cli.tunnel.LocalRecords;
import io.sidetrack.cli.tunnel.TunnelEvents;
import io.sidetrack.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Where the records of an intercept's topics go on this machine: into a Kafka broker this command
 * starts (the embedded KRaft broker, its data deleted when the command ends), into one the
 * developer runs ({@code --local-kafka}), or nowhere here ({@code --kafka-direct}: the developer's
 * consumers read the cluster with the interceptor in developer mode).
 */
final class LocalBroker implements AutoCloseable {
  private final EmbeddedKafka started;
  private final LocalRecords records;
  private final boolean direct;
  private final PrintWriter out;
  private boolean closed;

  private LocalBroker(
      EmbeddedKafka started, LocalRecords records, boolean direct, PrintWriter out) {
    this.started = started;
    this.records = records;
    this.direct = direct;
    this.out = out;
  }

  /**
   * The broker for the records of {@code topics} (none when there are none), started here unless
   * {@code localKafka} names one or {@code direct}.
   */
  static LocalBroker forRecords(
      List<String> topics,
      boolean direct,
      String localKafka,
      int port,
      PrintWriter out,
      TunnelEvents events)
      throws IOException {
    if (topics.isEmpty() || direct) {
      return new LocalBroker(null, null, direct && !topics.isEmpty(), out);
    }
    if (localKafka != null) {
      reachable(localKafka);
      return new LocalBroker(null, new LocalRecords(localKafka, events), false, out);
    }
    out.println("Starting a Kafka broker on this machine for your records (a few seconds)...");
    out.flush();
    EmbeddedKafka kafka;
    try {
      kafka = EmbeddedKafka.start(Files.createTempDirectory("sidetrack-records-"), port, true);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "could not start a Kafka broker on port "
              + port
              + " (--local-kafka-port): "
              + e.getMessage()
              + (port == 0 ? "" : "; is the port in use? 0 picks a free one"),
          e);
    }
    return new LocalBroker(kafka, new LocalRecords(kafka.bootstrapServers(), events), false, out);
  }

  /** Fails with one line when no Kafka broker answers at {@code bootstrap} within 10 s. */
  private static void reachable(String bootstrap) {
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000"))) {
      admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    } catch (Exception e) {
      throw new IllegalStateException(
          "no Kafka broker answers at " + bootstrap + " (--local-kafka) within 10 s", e);
    }
  }

  /** What writes the relayed records, when they are relayed here. */
  Optional<LocalRecords> records() {
    return Optional.ofNullable(records);
  }

  /** Tells the developer where their consumers connect (or how they read the cluster). */
  void printWhereRecordsGo(String workload, String interceptId) {
    if (records != null) {
      out.printf(
          "Your records are written, same topic names, into the Kafka broker at %s:"
              + " point your consumers at  bootstrap.servers=%s%n",
          records.bootstrapServers(), records.bootstrapServers());
    } else if (direct) {
      out.println(
          "Your consumers read the cluster's Kafka themselves (--kafka-direct); give them, beside"
              + " the cluster's own settings:");
      out.println(
          "  interceptor.classes=io.sidetrack.kafka.interceptor.SidetrackConsumerInterceptor");
      out.println("  sidetrack.workload=" + workload);
      out.println("  sidetrack.mode=developer");
      out.println("  sidetrack.developer.id=" + interceptId);
      out.println("  sidetrack.schema.registry.url=<Sidetrack's schema registry>");
      out.println(
          "  group.id=<a group of your own, e.g. "
              + interceptId
              + ": never the cluster's, or you take its partitions>");
    }
    out.flush();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return; // the shutdown hook and the command's end both close it
    }
    closed = true;
    if (records != null) {
      records.close();
    }
    if (started != null) {
      started.close();
    }
  }
}
