package io.sidetrack.cli.options;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** The properties file of {@code --kafka-config}: extra Kafka client settings, e.g. security. */
public final class KafkaConfigFile {
  private KafkaConfigFile() {}

  /**
   * The settings in {@code file}; none when it is {@code null}.
   *
   * @throws IOException naming the flag and the file
   */
  public static Map<String, String> read(Path file) throws IOException {
    if (file == null) {
      return Map.of();
    }
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      props.load(in);
    } catch (IOException e) {
      throw new IOException("cannot read --kafka-config " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> map = new HashMap<>();
    props.forEach((k, v) -> map.put(k.toString(), v.toString()));
    return Map.copyOf(map);
  }
}
