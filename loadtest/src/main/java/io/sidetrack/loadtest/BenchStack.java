package io.sidetrack.loadtest;

import io.sidetrack.embedded.EmbeddedKafka;
import io.sidetrack.embedded.EmbeddedSchemaRegistry;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.stream.RegistryStreamApp;
import io.sidetrack.stream.RegistryStreamConfig;
import java.nio.file.Path;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The control plane the benchmarks run against, in a benchmark's directory: a Kafka broker, the
 * schema registry and registry-stream, which creates the topics with {@code partitions} partitions
 * (as it does in a cluster). {@link #start} returns once registry-stream runs; {@link #close} stops
 * the three in reverse order.
 */
public final class BenchStack implements AutoCloseable {
  private final EmbeddedKafka kafka;
  private final EmbeddedSchemaRegistry registry;
  private final RegistryStreamApp stream;

  private BenchStack(
      EmbeddedKafka kafka, EmbeddedSchemaRegistry registry, RegistryStreamApp stream) {
    this.kafka = kafka;
    this.registry = registry;
    this.stream = stream;
  }

  public static BenchStack start(Path dir, int partitions) throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, true);
    EmbeddedSchemaRegistry registry = null;
    RegistryStreamApp stream = null;
    try {
      registry = EmbeddedSchemaRegistry.start(dir.resolve("registry.log"), 0);
      stream =
          RegistryStreamApp.start(
              RegistryStreamConfig.builder(
                      kafka.bootstrapServers(), SchemaRegistryConfig.of(registry.url()))
                  .stateDir(dir.resolve("state"))
                  .listen("127.0.0.1", 0)
                  .partitions(partitions)
                  .replicationFactor(1)
                  .build());
      while (stream.streams().state() != KafkaStreams.State.RUNNING) {
        Thread.sleep(50);
      }
      return new BenchStack(kafka, registry, stream);
    } catch (Exception | Error e) {
      new BenchStack(kafka, registry, stream).close();
      throw e;
    }
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }

  public EmbeddedSchemaRegistry registry() {
    return registry;
  }

  public RegistryStreamApp stream() {
    return stream;
  }

  @Override
  public void close() {
    if (stream != null) {
      stream.close();
    }
    if (registry != null) {
      registry.close();
    }
    kafka.close();
  }
}
