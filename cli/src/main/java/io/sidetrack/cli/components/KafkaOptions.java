package io.sidetrack.cli.components;

import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.cli.options.KafkaConfigFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** How a component reaches Kafka: flags with environment-variable defaults. */
public final class KafkaOptions {
  @EnvVar("KAFKA_BOOTSTRAP_SERVERS")
  @Option(
      names = "--bootstrap-servers",
      defaultValue = "localhost:9092",
      description = "Kafka bootstrap servers.")
  String bootstrapServers;

  @EnvVar
  @Option(
      names = "--kafka-config",
      description = "Properties file of extra Kafka client settings, e.g. security.")
  Path kafkaConfig;

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The extra client settings of {@code --kafka-config}, none when it is not given. */
  public Map<String, String> properties() throws IOException {
    return KafkaConfigFile.read(kafkaConfig);
  }
}
