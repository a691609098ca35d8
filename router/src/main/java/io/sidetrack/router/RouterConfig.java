package io.sidetrack.router;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.InterceptValidator;
import io.sidetrack.core.trust.Keys;
import io.sidetrack.core.trust.RouteSigner;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one router is configured with.
 *
 * @param listenHost where developers' CLIs connect (tunnels and the API)
 * @param listenPort that port (0: a free one)
 * @param relayHost where edge agents deliver matched requests
 * @param relayPort that port (0: a free one)
 * @param advertise the relay address agents are told to use ({@code HOST:PORT}); {@code null}: the
 *     relay address itself
 * @param bootstrapServers Kafka
 * @param schemaRegistry the schema registry
 * @param topicPrefix put in front of every topic name
 * @param tokensFile the bearer tokens (see {@link io.sidetrack.router.api.Tokens})
 * @param agentTimeout an agent whose last heartbeat is older is not counted as live
 * @param kafkaProperties extra Kafka client properties
 * @param preview the preview listener, or {@code null}: none (the default)
 */
public record RouterConfig(
    String listenHost,
    int listenPort,
    String relayHost,
    int relayPort,
    String advertise,
    String bootstrapServers,
    SchemaRegistryConfig schemaRegistry,
    String topicPrefix,
    Path tokensFile,
    Duration agentTimeout,
    Map<String, String> kafkaProperties,
    Preview preview,
    Signing signing) {

  public static final Duration DEFAULT_AGENT_TIMEOUT = Duration.ofSeconds(10);

  /** Where {@link #of} listens and relays: loopback, on free ports. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  public static final int DEFAULT_PORT = 0;

  /** The default topic prefix: none. */
  public static final String DEFAULT_TOPIC_PREFIX = "";

  /**
   * The preview listener: it serves {@code http://<code>.<domain>:<port>/} for intercepts that ask
   * for a preview, forwarding to their workload's upstream.
   *
   * @param listenHost where visitors' browsers connect
   * @param listenPort that port (0: a free one)
   * @param domain the suffix after the code ({@value #DEFAULT_DOMAIN} resolves to loopback with no
   *     DNS set-up); a wildcard DNS name for it must lead to the listener
   * @param upstreams each workload's entry point ({@code http://HOST:PORT}, e.g. its edge agent)
   */
  public record Preview(
      String listenHost, int listenPort, String domain, Map<String, URI> upstreams) {
    /** What {@code sidetrack up} uses, and the default of {@code --preview-domain}. */
    public static final String DEFAULT_DOMAIN = "preview.localhost";

    private static final String DOMAIN = "--preview-domain (SIDETRACK_PREVIEW_DOMAIN)";
    private static final String UPSTREAM = "--preview-upstream (SIDETRACK_PREVIEW_UPSTREAM)";

    public Preview {
      requireNonNull(listenHost, "listenHost");
      requireNonNull(domain, "domain");
      upstreams = Map.copyOf(requireNonNull(upstreams, "upstreams"));
      checkPort("--preview-listen (SIDETRACK_PREVIEW_LISTEN)", listenPort);
      if (!domain.matches(
              "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")
          || domain.length() > 200) {
        throw new IllegalArgumentException(
            "invalid "
                + DOMAIN
                + ": '"
                + domain
                + "' (a lower-case DNS name such as preview.example.com)");
      }
      for (Map.Entry<String, URI> e : upstreams.entrySet()) {
        checkUpstream(e.getKey(), e.getValue());
      }
    }

    /**
     * Reads {@code WORKLOAD=http://HOST:PORT} entries.
     *
     * @throws IllegalArgumentException naming the setting and the bad entry
     */
    public static Map<String, URI> upstreams(List<String> entries) {
      Map<String, URI> upstreams = new LinkedHashMap<>();
      for (String entry : entries) {
        int eq = entry.indexOf('=');
        if (eq <= 0) {
          throw badUpstream(entry);
        }
        String workload = entry.substring(0, eq).trim();
        URI url;
        try {
          url = new URI(entry.substring(eq + 1).trim());
        } catch (URISyntaxException e) {
          throw badUpstream(entry);
        }
        if (!InterceptValidator.isValidWorkload(workload)) {
          throw badUpstream(entry);
        }
        checkUpstream(workload, url);
        if (upstreams.put(workload, url) != null) {
          throw new IllegalArgumentException(
              "invalid " + UPSTREAM + ": workload '" + workload + "' is named twice");
        }
      }
      return upstreams;
    }

    private static void checkUpstream(String workload, URI url) {
      if (!InterceptValidator.isValidWorkload(workload)
          || !"http".equals(url.getScheme())
          || url.getHost() == null
          || url.getPort() < 1
          || (url.getRawPath() != null
              && !url.getRawPath().isEmpty()
              && !url.getRawPath().equals("/"))
          || url.getRawQuery() != null
          || url.getRawUserInfo() != null) {
        throw badUpstream(workload + "=" + url);
      }
    }

    private static IllegalArgumentException badUpstream(String entry) {
      return new IllegalArgumentException(
          "invalid " + UPSTREAM + ": '" + entry + "' (WORKLOAD=http://HOST:PORT)");
    }
  }

  /**
   * How the router signs the registrations it writes, so that registry-stream and edge agents that
   * trust its public key take them and nobody else's.
   *
   * @param key the router's Ed25519 private key
   */
  public record Signing(PrivateKey key) {
    /** The setting, as errors name it. */
    public static final String SETTING = "--signing-key (SIDETRACK_SIGNING_KEY)";

    /** Why a router without a key does not start. */
    public static final String MISSING =
        "no signing key: pass "
            + SETTING
            + " FILE, a PEM Ed25519 private key (make a pair with 'sidetrack keys generate --out"
            + " DIR'; agents and registry-stream trust its .pub.pem)";

    public Signing {
      requireNonNull(key, "key");
    }

    /**
     * Reads the PEM private key in {@code file}.
     *
     * @throws IllegalArgumentException naming the setting, the file and what is wrong
     */
    public static Signing read(Path file) {
      requireNonNull(file, "file");
      String pem;
      try {
        pem = Files.readString(file, StandardCharsets.US_ASCII);
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException(
            "cannot read " + SETTING + " " + file + ": " + e.getMessage());
      }
      try {
        return new Signing(Keys.privateKey(pem));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "invalid " + SETTING + " " + file + ": " + e.getMessage());
      }
    }

    /** The signer of this key. */
    public RouteSigner signer() {
      return RouteSigner.of(key);
    }
  }

  public RouterConfig {
    requireNonNull(listenHost, "listenHost");
    requireNonNull(relayHost, "relayHost");
    requireNonNull(bootstrapServers, "bootstrapServers");
    requireNonNull(schemaRegistry, "schemaRegistry");
    requireNonNull(topicPrefix, "topicPrefix");
    requireNonNull(tokensFile, "tokensFile");
    requireNonNull(agentTimeout, "agentTimeout");
    kafkaProperties = Map.copyOf(requireNonNull(kafkaProperties, "kafkaProperties"));
    // preview may be null: no preview listener; signing may be null here, Router.start refuses it
    checkPort("--listen (SIDETRACK_ROUTER_LISTEN)", listenPort);
    checkPort("--relay (SIDETRACK_ROUTER_RELAY)", relayPort);
    if (advertise != null && !advertise.matches("[^\\s:/]+:\\d{1,5}")) {
      throw new IllegalArgumentException(
          "invalid --advertise (SIDETRACK_ROUTER_ADVERTISE): '" + advertise + "' (HOST:PORT)");
    }
    if (agentTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "invalid --agent-timeout (SIDETRACK_AGENT_TIMEOUT): '" + agentTimeout + "' (0 or more)");
    }
  }

  private static void checkPort(String setting, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("invalid " + setting + " port: '" + port + "' (0-65535)");
    }
  }

  /** Defaults for the rest. */
  public static RouterConfig of(
      String bootstrapServers, SchemaRegistryConfig schemaRegistry, Path tokensFile) {
    return new RouterConfig(
        DEFAULT_HOST,
        DEFAULT_PORT,
        DEFAULT_HOST,
        DEFAULT_PORT,
        null,
        bootstrapServers,
        schemaRegistry,
        DEFAULT_TOPIC_PREFIX,
        tokensFile,
        DEFAULT_AGENT_TIMEOUT,
        Map.of(),
        null,
        null);
  }

  public RouterConfig withTopicPrefix(String prefix) {
    return new RouterConfig(
        listenHost,
        listenPort,
        relayHost,
        relayPort,
        advertise,
        bootstrapServers,
        schemaRegistry,
        prefix,
        tokensFile,
        agentTimeout,
        kafkaProperties,
        preview,
        signing);
  }

  public RouterConfig withPorts(int listen, int relay, String advertised) {
    return new RouterConfig(
        listenHost,
        listen,
        relayHost,
        relay,
        advertised,
        bootstrapServers,
        schemaRegistry,
        topicPrefix,
        tokensFile,
        agentTimeout,
        kafkaProperties,
        preview,
        signing);
  }

  /** This configuration with a preview listener ({@code null}: none). */
  public RouterConfig withPreview(Preview newPreview) {
    return new RouterConfig(
        listenHost,
        listenPort,
        relayHost,
        relayPort,
        advertise,
        bootstrapServers,
        schemaRegistry,
        topicPrefix,
        tokensFile,
        agentTimeout,
        kafkaProperties,
        newPreview,
        signing);
  }

  /** This configuration signing registrations with {@code newSigning}'s key. */
  public RouterConfig withSigning(Signing newSigning) {
    return new RouterConfig(
        listenHost,
        listenPort,
        relayHost,
        relayPort,
        advertise,
        bootstrapServers,
        schemaRegistry,
        topicPrefix,
        tokensFile,
        agentTimeout,
        kafkaProperties,
        preview,
        newSigning);
  }
}
