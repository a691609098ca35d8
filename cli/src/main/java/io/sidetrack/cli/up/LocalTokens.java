package io.sidetrack.cli.up;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The tokens file of {@code sidetrack up}'s router, {@code $SIDETRACK_HOME/tokens}: it keeps the
 * entries already there and adds one for the local user when there is none.
 */
final class LocalTokens {
  private LocalTokens() {}

  /** The local user as an identity. */
  static String localIdentity() {
    String user = System.getProperty("user.name", "developer");
    String id = user.replaceAll("[^A-Za-z0-9._@-]", "-");
    return id.isEmpty() ? "developer" : id.toLowerCase(Locale.ROOT);
  }

  /** The local user's token in {@code file}, added (for every workload) when missing. */
  static String ensure(Path file, String identity) throws IOException {
    if (Files.exists(file)) {
      Optional<String> existing = find(Files.readAllLines(file, StandardCharsets.UTF_8), identity);
      if (existing.isPresent()) {
        return existing.get();
      }
    } else {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          file,
          "# Bearer tokens of the router 'sidetrack up' runs: TOKEN IDENTITY WORKLOADS\n",
          StandardCharsets.UTF_8);
    }
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    String token = HexFormat.of().formatHex(random);
    Files.writeString(
        file, token + " " + identity + " *\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    return token;
  }

  private static Optional<String> find(List<String> lines, String identity) {
    for (String line : lines) {
      String content = line.contains("#") ? line.substring(0, line.indexOf('#')) : line;
      String[] parts = content.trim().split("\\s+");
      if (parts.length == 3 && parts[1].equals(identity)) {
        return Optional.of(parts[0]);
      }
    }
    return Optional.empty();
  }
}
