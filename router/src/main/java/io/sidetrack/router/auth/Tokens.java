package io.sidetrack.router.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may use the router: a tokens file maps each bearer token to an identity and the workloads it
 * may intercept. One entry per line, {@code TOKEN IDENTITY WORKLOADS}, where WORKLOADS is {@code *}
 * or a comma-separated list; {@code #} starts a comment.
 *
 * <pre>
 * # token                  identity  workloads
 * 8c1f0b2e9a7d4c55b1e0f3a2 alice     orders,payments
 * 0d9e8f7a6b5c4d3e2f1a0b9c bob       *
 * </pre>
 *
 * <p>Tokens are kept only as SHA-256 digests and looked up by digest.
 */
public final class Tokens {
  /** An authenticated developer. */
  public record Identity(String name, Set<String> workloads) {
    /** Whether this identity may intercept {@code workload}. */
    public boolean mayIntercept(String workload) {
      return workloads.contains("*") || workloads.contains(workload);
    }

    /** The workloads as the tokens file lists them ({@code none} for none). */
    public String allowed() {
      return workloads.isEmpty() ? "none" : String.join(",", workloads);
    }
  }

  /** What an identity may look like: it is the owner of intercepts, in topics and URLs. */
  public static final String IDENTITY_PATTERN = "[A-Za-z0-9._@-]{1,64}";

  private final Map<String, Identity> byDigest;

  private Tokens(Map<String, Identity> byDigest) {
    this.byDigest = Map.copyOf(byDigest);
  }

  /**
   * Reads a tokens file.
   *
   * @throws IllegalArgumentException naming the file and line of the first bad entry
   */
  public static Tokens read(Path file) throws IOException {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException(
          "tokens file " + file + " does not exist or is unreadable");
    }
    return parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  public static Tokens parse(String source, List<String> lines) {
    Map<String, Identity> entries = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int hash = line.indexOf('#');
      String content = (hash >= 0 ? line.substring(0, hash) : line).trim();
      if (content.isEmpty()) {
        continue;
      }
      String[] parts = content.split("\\s+");
      String where = source + ":" + (i + 1);
      if (parts.length != 3) {
        throw new IllegalArgumentException(
            where + ": expected TOKEN IDENTITY WORKLOADS, got " + parts.length + " fields");
      }
      if (parts[0].length() < 16) {
        throw new IllegalArgumentException(where + ": a token needs at least 16 characters");
      }
      if (!parts[1].matches(IDENTITY_PATTERN)) {
        throw new IllegalArgumentException(
            where + ": identity '" + parts[1] + "' may use letters, digits and . _ @ - only");
      }
      Set<String> workloads = new LinkedHashSet<>(List.of(parts[2].split(",")));
      workloads.remove("");
      if (workloads.isEmpty()) {
        throw new IllegalArgumentException(where + ": no workloads");
      }
      if (entries.put(digest(parts[0]), new Identity(parts[1], Set.copyOf(workloads))) != null) {
        throw new IllegalArgumentException(where + ": the same token appears twice");
      }
    }
    return new Tokens(entries);
  }

  /** The identity of a bearer token. */
  public Optional<Identity> identify(String token) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    // a lookup by digest: timing tells nothing about the token, whose digest no one chooses
    return Optional.ofNullable(byDigest.get(digest(token)));
  }

  public int size() {
    return byDigest.size();
  }

  private static String digest(String token) {
    return java.util.HexFormat.of().formatHex(digestBytes(token));
  }

  private static byte[] digestBytes(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
