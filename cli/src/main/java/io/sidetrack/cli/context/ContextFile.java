package io.sidetrack.cli.context;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;

/** Reads and writes {@code $SIDETRACK_HOME/context.json}. */
public final class ContextFile {
  /** Environment variable naming Sidetrack's home directory. */
  public static final String HOME_ENV = "SIDETRACK_HOME";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ContextFile() {}

  /** {@code $SIDETRACK_HOME}, or {@code ~/.sidetrack}. */
  public static Path home() {
    String home = System.getenv(HOME_ENV);
    return home != null && !home.isBlank()
        ? Path.of(home)
        : Path.of(System.getProperty("user.home"), ".sidetrack");
  }

  public static Path path(Path home) {
    return home.resolve("context.json");
  }

  /** Writes {@code context} atomically. */
  public static void write(Path home, Context context) throws IOException {
    Files.createDirectories(home);
    ObjectNode node = JSON.createObjectNode();
    node.putObject("kafka").put("bootstrapServers", context.bootstrapServers());
    node.putObject("schemaRegistry").put("url", context.schemaRegistryUrl());
    node.putObject("registryStream").put("url", context.registryStreamUrl());
    node.put("topicPrefix", context.topicPrefix());
    node.putObject("router")
        .put("url", context.routerUrl())
        .put("token", context.token())
        .put("ca", context.routerCa());
    node.putObject("demo").put("url", context.demoUrl());
    node.putObject("frontend").put("url", context.frontendUrl());
    node.put("pid", context.pid());
    node.put("startedAt", context.startedAt().toString());
    // it holds a token: readable by its owner only
    Path tmp =
        Files.createTempFile(
            home,
            "context",
            ".json.tmp",
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n");
    Files.move(
        tmp, path(home), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * The context in {@code home}, or empty when there is none.
   *
   * @throws IOException when the file exists but cannot be read as a context (the message says
   *     which file)
   */
  public static Optional<Context> read(Path home) throws IOException {
    Path file = path(home);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      JsonNode node = JSON.readTree(file.toFile());
      return Optional.of(
          new Context(
              node.path("kafka").path("bootstrapServers").asText(),
              node.path("schemaRegistry").path("url").asText(),
              node.path("registryStream").path("url").asText(),
              node.path("topicPrefix").asText(""),
              node.path("router").path("url").asText(""),
              node.path("router").path("token").asText(""),
              node.path("demo").path("url").asText(""),
              node.path("frontend").path("url").asText(""),
              node.path("pid").asLong(),
              Instant.parse(node.path("startedAt").asText()),
              node.path("router").path("ca").asText("")));
    } catch (IOException | RuntimeException e) {
      throw new IOException(file + " is not a Sidetrack context: " + e.getMessage(), e);
    }
  }

  /** Removes the context file if it still names the process {@code pid}. */
  public static void removeIfOwnedBy(Path home, long pid) {
    try {
      Optional<Context> current = read(home);
      if (current.isPresent() && current.get().pid() == pid) {
        Files.deleteIfExists(path(home));
      }
    } catch (IOException e) {
      // a context we cannot read is not ours to remove
    }
  }
}
