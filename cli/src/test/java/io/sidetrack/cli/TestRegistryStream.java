package io.sidetrack.cli;

import static org.awaitility.Awaitility.await;

import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.stream.RegistryStreamApp;
import io.sidetrack.stream.RegistryStreamConfig;
import java.nio.file.Files;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The CLI's integration tests' registry-stream: in-process, 3 partitions, running when returned.
 */
public final class TestRegistryStream {
  private TestRegistryStream() {}

  /**
   * Starts registry-stream on {@code bootstrap} and {@code registryUrl} with topics under {@code
   * prefix}, an application id of its own starting with {@code name}, and waits until it runs.
   */
  public static RegistryStreamApp start(
      String bootstrap, String registryUrl, String prefix, String name) throws Exception {
    return start(bootstrap, registryUrl, prefix, name, null);
  }

  /** As {@link #start(String, String, String, String)}, trusting only {@code trusted}'s keys. */
  public static RegistryStreamApp start(
      String bootstrap, String registryUrl, String prefix, String name, TrustedKeys trusted)
      throws Exception {
    RegistryStreamConfig.Builder config =
        RegistryStreamConfig.builder(bootstrap, SchemaRegistryConfig.of(registryUrl))
            .applicationId(name + "-" + UUID.randomUUID())
            .topicPrefix(prefix)
            .stateDir(Files.createTempDirectory(name))
            .listen("127.0.0.1", 0)
            .partitions(3)
            .replicationFactor(1);
    if (trusted != null) {
      config.trustedRouters(trusted);
    }
    RegistryStreamApp stream = RegistryStreamApp.start(config.build());
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> stream.streams().state() == KafkaStreams.State.RUNNING);
    return stream;
  }
}
