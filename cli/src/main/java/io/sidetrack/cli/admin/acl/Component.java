package io.sidetrack.cli.admin.acl;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A part of Sidetrack that talks to Kafka under a principal of its own. */
public enum Component {
  /** Publishes and renews registrations; reads routes, heartbeats and the audit trail. */
  ROUTER("router", "sidetrack-router"),
  /** The Kafka Streams application that decides registrations and publishes routes. */
  REGISTRY_STREAM("registry-stream", "sidetrack-registry-stream"),
  /** Reads its workload's routes, writes its heartbeats. */
  EDGE_AGENT("agent", "sidetrack-agent"),
  /**
   * {@code sidetrack audit}, {@code replay} and {@code explain}: read the audit trail and routes.
   */
  AUDIT_READER("audit", "sidetrack-audit"),
  /**
   * Creates topics, applies ACLs and SCRAM users, and runs {@code sidetrack register|unregister}
   * (which write registrations as a router would).
   */
  ADMIN("admin", "sidetrack-admin");

  private final String key;
  private final String defaultUser;

  Component(String key, String defaultUser) {
    this.key = key;
    this.defaultUser = defaultUser;
  }

  /** The name used on the command line and in file names: {@code router}, {@code agent}, ... */
  public String key() {
    return key;
  }

  /** The SCRAM user name this component has unless told otherwise. */
  public String defaultUser() {
    return defaultUser;
  }

  /**
   * The component named {@code key}.
   *
   * @throws IllegalArgumentException naming the known keys
   */
  public static Component of(String key) {
    for (Component c : values()) {
      if (c.key.equals(key.toLowerCase(Locale.ROOT))) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "unknown component '"
            + key
            + "' (one of "
            + Arrays.stream(values()).map(Component::key).collect(Collectors.joining(", "))
            + ")");
  }
}
