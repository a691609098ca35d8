package io.sidetrack.cli.up;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The demo's own topic and the settings its apps reach Kafka with. One partition, so records are
 * processed in the order the frontend produced them (what the demo and its test rely on).
 */
final class DemoTopic {
  private DemoTopic() {}

  /** Creates {@code topic} (one partition, the brokers' replication factor) unless it exists. */
  static void create(Map<String, String> kafka, String topic)
      throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
    requireNonNull(topic, "topic");
    try (Admin admin = Admin.create(new HashMap<>(requireNonNull(kafka, "kafka")))) {
      admin
          .createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  /** Writes {@code kafka} as a client properties file readable by its owner only. */
  static void writeSettings(Map<String, String> kafka, Path file) throws IOException {
    Files.deleteIfExists(file);
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.deleteIfExists(partial);
    Files.createFile(
        partial,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Properties p = new Properties();
    p.putAll(kafka);
    try (OutputStream out = Files.newOutputStream(partial)) {
      p.store(out, "Kafka client settings of sidetrack up's demo apps");
    }
    // the frontend reads it at its first order: never half written
    Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
