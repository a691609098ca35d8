package io.sidetrack.router.auth;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tokens file as an {@link Authenticator}, read again when it changes: its modification time
 * and size are looked at every interval (off the event loop), and its content read and parsed when
 * either moved. A new file that does not parse is logged and the tokens before it stay in force.
 */
public final class TokensFile implements Authenticator {
  private static final Logger LOG = LoggerFactory.getLogger(TokensFile.class);

  private final Path file;
  private volatile Tokens tokens;
  private long seenModified;
  private long seenSize;
  private byte[] seenDigest;

  private TokensFile(Path file, Tokens tokens, long modified, long size, byte[] digest) {
    this.file = file;
    this.tokens = tokens;
    this.seenModified = modified;
    this.seenSize = size;
    this.seenDigest = digest;
  }

  /**
   * Reads {@code file}.
   *
   * @throws IllegalArgumentException when it is missing or has a bad entry (named)
   */
  public static TokensFile read(Path file) throws IOException {
    requireNonNull(file, "file");
    Tokens tokens = Tokens.read(file);
    byte[] bytes = Files.readAllBytes(file);
    return new TokensFile(
        file, tokens, Files.getLastModifiedTime(file).toMillis(), bytes.length, digest(bytes));
  }

  @Override
  public Future<Tokens.Identity> identify(String token) {
    return tokens
        .identify(token)
        .map(Future::succeededFuture)
        .orElseGet(
            () ->
                Future.failedFuture(
                    new AuthenticationException(
                        Authenticator.looksLikeJwt(token)
                            ? "unknown token: a JWT, and this router takes none (it runs without"
                                + " --oidc-issuer)"
                            : "unknown token: the router's tokens file does not list it")));
  }

  /** The tokens in force. */
  public Tokens tokens() {
    return tokens;
  }

  /** Looks at the file every {@code interval} on a worker thread; returns the timer's id. */
  public long watch(Vertx vertx, Duration interval) {
    return vertx.setPeriodic(
        Math.max(1, interval.toMillis()), t -> vertx.executeBlocking(this::reloadIfChanged, false));
  }

  /**
   * Reads the file again if its time or size moved and its content changed; blocks (file I/O).
   *
   * @return whether new tokens are in force
   */
  public synchronized boolean reloadIfChanged() {
    try {
      long modified = Files.getLastModifiedTime(file).toMillis();
      long size = Files.size(file);
      if (modified == seenModified && size == seenSize) {
        return false;
      }
      seenModified = modified;
      seenSize = size;
      byte[] bytes = Files.readAllBytes(file);
      byte[] digest = digest(bytes);
      if (Arrays.equals(digest, seenDigest)) {
        return false;
      }
      seenDigest = digest;
      Tokens fresh =
          Tokens.parse(
              file.toString(),
              new String(bytes, java.nio.charset.StandardCharsets.UTF_8).lines().toList());
      tokens = fresh;
      LOG.info("Tokens file {} reloaded: {} tokens", file, fresh.size());
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "Tokens file {} not reloaded, its {} tokens before stay: {}",
          file,
          tokens.size(),
          e.getMessage());
      return false;
    }
  }

  private static byte[] digest(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
