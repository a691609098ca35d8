package io.sidetrack.cli.components;

import io.sidetrack.cli.options.EnvVar;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
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
    if (kafkaConfig == null) {
      return Map.of();
    }
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(kafkaConfig)) {
      props.load(in);
    } catch (IOException e) {
      throw new IOException("cannot read --kafka-config " + kafkaConfig + ": " + e.getMessage(), e);
    }
    Map<String, String> map = new HashMap<>();
    props.forEach((k, v) -> map.put(k.toString(), v.toString()));
    return map;
  }
}
