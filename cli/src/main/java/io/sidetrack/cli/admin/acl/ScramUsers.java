package io.sidetrack.cli.admin.acl;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;

/**
 * Creates SCRAM-SHA-512 users (the embedded or a development cluster's case): a user that has a
 * SCRAM-SHA-512 credential already is left as it is, so running it twice changes nothing.
 */
public final class ScramUsers {
  /** Kafka's default, and the minimum it accepts for SCRAM-SHA-512. */
  static final int ITERATIONS = 4096;

  private final Admin admin;

  public ScramUsers(Admin admin) {
    this.admin = requireNonNull(admin, "admin");
  }

  /**
   * Reads {@code USER=PASSWORD} lines (a properties file).
   *
   * @throws IOException naming the file
   */
  public static Map<String, String> read(Path file) throws IOException {
    requireNonNull(file, "file");
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      props.load(in);
    } catch (IOException e) {
      throw new IOException("cannot read --create-users " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> users = new TreeMap<>();
    props.forEach((k, v) -> users.put(k.toString(), v.toString()));
    for (var e : users.entrySet()) {
      if (e.getValue().isEmpty()) {
        throw new IllegalArgumentException(
            "invalid --create-users " + file + ": user '" + e.getKey() + "' has no password");
      }
    }
    return users;
  }

  /**
   * Creates the users of {@code passwords} that have no SCRAM-SHA-512 credential yet (only finds
   * them with {@code dryRun}).
   *
   * @return the users missing before the call, in {@code passwords}' order
   */
  public List<String> create(Map<String, String> passwords, boolean dryRun)
      throws InterruptedException, ExecutionException, TimeoutException {
    requireNonNull(passwords, "passwords");
    Set<String> existing = new HashSet<>();
    Map<String, UserScramCredentialsDescription> described =
        admin.describeUserScramCredentials().all().get(30, TimeUnit.SECONDS);
    described.forEach(
        (user, d) -> {
          if (d.credentialInfos().stream()
              .anyMatch(i -> i.mechanism() == ScramMechanism.SCRAM_SHA_512)) {
            existing.add(user);
          }
        });
    Map<String, String> missing = new LinkedHashMap<>();
    passwords.forEach(
        (user, password) -> {
          if (!existing.contains(user)) {
            missing.put(user, password);
          }
        });
    if (!dryRun && !missing.isEmpty()) {
      List<UserScramCredentialAlteration> upserts = new ArrayList<>();
      missing.forEach(
          (user, password) ->
              upserts.add(
                  new UserScramCredentialUpsertion(
                      user,
                      new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS),
                      password)));
      admin.alterUserScramCredentials(upserts).all().get(30, TimeUnit.SECONDS);
    }
    return List.copyOf(missing.keySet());
  }
}
