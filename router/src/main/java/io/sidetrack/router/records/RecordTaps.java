package io.sidetrack.router.records;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.records.RecordRouting;
import io.sidetrack.tunnel.Mux;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Starts the {@link RecordTap} of each active intercept with topics whose records this router
 * relays: its consumer's settings, the workload's routing as the router reads it, and the count of
 * records relayed.
 */
public final class RecordTaps {
  private final String bootstrapServers;
  private final Map<String, String> kafkaProperties;
  private final String groupPrefix;
  private final Function<String, RecordRouting> routingOf;
  private final Counter relayed;

  /**
   * @param bootstrapServers the Kafka cluster the workload's topics are on
   * @param kafkaProperties its client settings (security)
   * @param groupPrefix put in front of each tap's consumer group ({@code
   *     <prefix>sidetrack.records.<intercept id>})
   * @param routingOf the routing of a workload's records, as this router last read its routes
   * @param relayed counts each record relayed
   */
  public RecordTaps(
      String bootstrapServers,
      Map<String, String> kafkaProperties,
      String groupPrefix,
      Function<String, RecordRouting> routingOf,
      Counter relayed) {
    this.bootstrapServers = requireNonNull(bootstrapServers, "bootstrapServers");
    this.kafkaProperties = Map.copyOf(kafkaProperties);
    this.groupPrefix = requireNonNull(groupPrefix, "groupPrefix");
    this.routingOf = requireNonNull(routingOf, "routingOf");
    this.relayed = requireNonNull(relayed, "relayed");
  }

  /** The consumer group of an intercept's records. */
  public String group(String interceptId) {
    return groupPrefix + "sidetrack.records." + interceptId;
  }

  /** Relays the records of one intercept once it is active. */
  public interface Relay extends AutoCloseable {
    /** The intercept is active: relay its records. */
    void activate();

    /** Stops relaying (the intercept is over here); returns at once. */
    @Override
    void close();
  }

  /**
   * Prepares relaying the records of {@code intercept}'s topics through {@code mux}, at its
   * registration: the tap notes where the topics end now, and relays from there once {@linkplain
   * Relay#activate() active} (where its group has no offset yet). Call on the tunnel's context.
   *
   * @param ended called on the tunnel's context when the CLI abandons the stream, with why
   */
  public Relay prepare(Intercept intercept, Mux mux, Consumer<String> ended) {
    RecordStream stream = new RecordStream(mux, ended);
    RecordTap tap =
        new RecordTap(
            intercept.id(),
            List.copyOf(intercept.topics()),
            stream,
            () -> routingOf.apply(intercept.workload()),
            relayed::increment,
            consumerProperties(intercept.id()));
    tap.start();
    return new Relay() {
      @Override
      public void activate() {
        tap.activate();
      }

      @Override
      public void close() {
        tap.close();
        stream.close("the intercept ended");
      }
    };
  }

  private Map<String, Object> consumerProperties(String interceptId) {
    Map<String, Object> p = new HashMap<>(kafkaProperties);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group(interceptId));
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "sidetrack-router-records-" + interceptId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }
}
