package io.sidetrack.cli.up;

import static java.util.Objects.requireNonNull;

import io.sidetrack.cli.admin.acl.AclCommand;
import io.sidetrack.cli.admin.acl.AclPlan;
import io.sidetrack.cli.admin.acl.Component;
import io.sidetrack.cli.admin.acl.Principals;
import io.sidetrack.embedded.BrokerTls;
import io.sidetrack.embedded.ScramCredentials;
import io.sidetrack.stream.RegistryStreamConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The Kafka half of {@code sidetrack up --secure}: a SCRAM user with a random password per
 * component, each written as a client properties file ({@code 0600}) under {@code
 * $SIDETRACK_HOME/kafka/}, and the ACLs of {@link AclPlan} applied by the embedded broker's super
 * user. With {@link BrokerTls} the clients speak {@code SASL_SSL} and verify the broker by its CA.
 */
final class SecureKafka {
  /** The users' directory under {@code $SIDETRACK_HOME}. */
  static final String DIRECTORY = "kafka";

  private final Path dir;
  private final Map<Component, ScramCredentials> users;
  private final BrokerTls tls;

  private SecureKafka(Path dir, Map<Component, ScramCredentials> users, BrokerTls tls) {
    this.dir = dir;
    this.users = users;
    this.tls = tls;
  }

  /**
   * A fresh admin user (the broker's super user) and one per other component.
   *
   * @param tls the broker's TLS, or {@code null} for {@code SASL_PLAINTEXT}
   */
  static SecureKafka generate(Path home, BrokerTls tls) {
    requireNonNull(home, "home");
    Map<Component, ScramCredentials> users = new EnumMap<>(Component.class);
    Principals principals = Principals.defaults();
    for (Component c : Component.values()) {
      users.put(c, ScramCredentials.random(principals.userOf(c)));
    }
    return new SecureKafka(home.resolve(DIRECTORY), users, tls);
  }

  /** The super user the embedded broker is formatted with. */
  ScramCredentials admin() {
    return users.get(Component.ADMIN);
  }

  /** The broker's TLS, or {@code null}. */
  BrokerTls tls() {
    return tls;
  }

  /** The client settings of {@code component}. */
  Map<String, String> clientProperties(Component component) {
    Map<String, String> props =
        new HashMap<>(users.get(requireNonNull(component, "component")).clientProperties());
    if (tls != null) {
      props.putAll(tls.clientProperties());
    }
    return props;
  }

  /** Where {@code component}'s client settings are written. */
  Path propertiesFile(Component component) {
    return dir.resolve(component.key() + ".properties");
  }

  /**
   * Writes every component's properties file, then creates the SCRAM users and ACLs on the broker
   * at {@code bootstrapServers} as the admin.
   *
   * @return how many ACLs were created
   */
  int apply(String bootstrapServers) throws Exception {
    writeFiles();
    Map<String, String> passwords = new LinkedHashMap<>();
    users.forEach(
        (c, u) -> {
          if (c != Component.ADMIN) {
            passwords.put(u.user(), u.password());
          }
        });
    Map<String, Object> props = new HashMap<>(clientProperties(Component.ADMIN));
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    var plan = AclPlan.of("", RegistryStreamConfig.DEFAULT_APPLICATION_ID, Principals.defaults());
    try (Admin admin = Admin.create(props)) {
      AclCommand.apply(admin, plan, passwords, false, new PrintWriter(Writer.nullWriter()));
    }
    return AclPlan.bindings(plan).size();
  }

  private void writeFiles() throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    for (Component c : Component.values()) {
      Path file = propertiesFile(c);
      Files.deleteIfExists(file);
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Properties p = new Properties();
      p.putAll(clientProperties(c));
      try (OutputStream out = Files.newOutputStream(file)) {
        p.store(out, "Kafka client settings of " + c.key() + " for 'sidetrack up --secure'");
      }
    }
  }

  /** Deletes the properties files (their passwords die with the broker). */
  void deleteFiles() {
    for (Component c : Component.values()) {
      try {
        Files.deleteIfExists(propertiesFile(c));
      } catch (IOException e) {
        // best effort at shutdown
      }
    }
  }
}
