package io.sidetrack.cli.login;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;

/**
 * Reads and writes {@code $SIDETRACK_HOME/login.json} (mode 0600): the developer's login, kept
 * apart from {@code context.json}, which belongs to a running {@code sidetrack up} and goes with
 * it.
 */
public final class LoginFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LoginFile() {}

  public static Path path(Path home) {
    return home.resolve("login.json");
  }

  /** Writes {@code login} atomically, readable by its owner only. */
  public static void write(Path home, Login login) throws IOException {
    Files.createDirectories(home);
    ObjectNode node = JSON.createObjectNode();
    node.put("accessToken", login.accessToken());
    node.put("refreshToken", login.refreshToken());
    if (login.expiresAt() != null) {
      node.put("expiresAt", login.expiresAt().toString());
    }
    node.put("tokenEndpoint", login.tokenEndpoint());
    node.put("clientId", login.clientId());
    Path tmp =
        Files.createTempFile(
            home,
            "login",
            ".json.tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n");
    Files.move(
        tmp, path(home), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * The login in {@code home}, or empty when there is none.
   *
   * @throws IOException when the file exists but is not a login (the message names it)
   */
  public static Optional<Login> read(Path home) throws IOException {
    Path file = path(home);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      JsonNode node = JSON.readTree(file.toFile());
      String expires = node.path("expiresAt").asText("");
      return Optional.of(
          new Login(
              node.path("accessToken").asText(),
              node.path("refreshToken").asText(""),
              expires.isEmpty() ? null : Instant.parse(expires),
              node.path("tokenEndpoint").asText(""),
              node.path("clientId").asText("")));
    } catch (IOException | RuntimeException e) {
      throw new IOException(file + " is not a Sidetrack login: " + e.getMessage(), e);
    }
  }
}
