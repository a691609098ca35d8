package io.sidetrack.cli.keys;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.trust.Keys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;

/**
 * A router signing key pair on disk: {@value #PRIVATE} (owner-only, 0600) for the routers and
 * {@value #PUBLIC} for registry-stream and edge agents.
 */
public final class KeyFiles {
  /** The private key's file name. */
  public static final String PRIVATE = "router-signing.pem";

  /** The public key's file name. */
  public static final String PUBLIC = "router-signing.pub.pem";

  private KeyFiles() {}

  /**
   * Writes a new pair into {@code dir} (created if missing); refuses to overwrite an existing key.
   *
   * @return the pair written
   */
  public static KeyPair generate(Path dir) throws IOException {
    requireNonNull(dir, "dir");
    Files.createDirectories(dir);
    Path priv = dir.resolve(PRIVATE);
    Path pub = dir.resolve(PUBLIC);
    if (Files.exists(priv) || Files.exists(pub)) {
      throw new FileAlreadyExistsException(
          priv + " or " + pub, null, "a key is already there; remove it or pick another --out");
    }
    KeyPair pair = Keys.generate();
    writePrivate(priv, Keys.privateKeyPem(pair.getPrivate()));
    Files.writeString(pub, Keys.publicKeyPem(pair.getPublic()), StandardCharsets.US_ASCII);
    return pair;
  }

  /** Whether {@code dir} holds both files of a pair. */
  public static boolean exists(Path dir) {
    requireNonNull(dir, "dir");
    return Files.isRegularFile(dir.resolve(PRIVATE)) && Files.isRegularFile(dir.resolve(PUBLIC));
  }

  /** The pair in {@code dir}, generated first if it has none. */
  public static Path ensure(Path dir) throws IOException {
    if (!Files.exists(dir.resolve(PRIVATE))) {
      generate(dir);
    }
    return dir;
  }

  private static void writePrivate(Path file, String pem) throws IOException {
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) { // not POSIX: the directory's protection applies
      Files.createFile(file);
    }
    Files.writeString(file, pem, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
  }
}
