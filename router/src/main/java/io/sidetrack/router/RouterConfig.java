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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 * @param tokensFile the bearer tokens (see {@link io.sidetrack.router.auth.Tokens}); {@code null}:
 *     none, only with OIDC
 * @param agentTimeout an agent whose last heartbeat is older is not counted as live
 * @param kafkaProperties extra Kafka client properties
 * @param preview the preview listener, or {@code null}: none (the default)
 * @param identity who developers are: the tokens file's reload and OIDC ({@link Identity#DEFAULT}:
 *     the tokens file only)
 * @param tls certificates of the developer listener and the relay ({@link Tls#NONE}: plain http,
 *     the default)
 * @param signing the key the router signs its registrations with ({@code null} here only: {@link
 *     Router#start} refuses a configuration without one)
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
    Identity identity,
    Tls tls,
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

  /**
   * A certificate and its private key, both PEM files; the router reloads them when they change.
   *
   * @param cert the certificate chain, the server's own first
   * @param key its private key (PKCS#8 or PKCS#1)
   */
  public record KeyPair(Path cert, Path key) {
    public KeyPair {
      requireNonNull(cert, "cert");
      requireNonNull(key, "key");
    }

    /**
     * The pair {@code cert} and {@code key} name, or {@code null} when neither is given.
     *
     * @throws IllegalArgumentException when only one is given, naming the missing setting
     */
    public static KeyPair of(Path cert, String certSetting, Path key, String keySetting) {
      if (cert == null && key == null) {
        return null;
      }
      if (cert == null || key == null) {
        throw new IllegalArgumentException(
            (cert == null
                ? keySetting + " needs " + certSetting
                : certSetting + " needs " + keySetting));
      }
      return new KeyPair(cert, key);
    }
  }

  /**
   * Transport security of the router's two listeners.
   *
   * @param listener the developer listener's certificate (tunnels over wss, the API over https), or
   *     {@code null}: plain http
   * @param relay the relay port's certificate (edge agents connect with TLS), or {@code null}:
   *     plain
   * @param relayClientCa with it, the relay requires every agent to present a client certificate
   *     signed by this CA (PEM): mutual TLS; {@code null}: no client certificate asked for
   * @param reloadInterval how often the files are read again; a changed pair that checks out is
   *     served to new connections
   */
  public record Tls(KeyPair listener, KeyPair relay, Path relayClientCa, Duration reloadInterval) {
    /** How often certificate files are read for a change. */
    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(5);

    /** Plain http on both listeners. */
    public static final Tls NONE = new Tls(null, null, null);

    /** These certificates, read again every {@link #DEFAULT_RELOAD_INTERVAL}. */
    public Tls(KeyPair listener, KeyPair relay, Path relayClientCa) {
      this(listener, relay, relayClientCa, DEFAULT_RELOAD_INTERVAL);
    }

    /** These certificates, read again every {@code interval}. */
    public Tls withReloadInterval(Duration interval) {
      return new Tls(listener, relay, relayClientCa, interval);
    }

    public Tls {
      requireNonNull(reloadInterval, "reloadInterval");
      if (reloadInterval.isNegative() || reloadInterval.isZero()) {
        throw new IllegalArgumentException("invalid TLS reload interval: " + reloadInterval);
      }
      if (relayClientCa != null && relay == null) {
        throw new IllegalArgumentException(
            "--relay-client-ca (SIDETRACK_RELAY_CLIENT_CA) needs --relay-tls-cert and"
                + " --relay-tls-key: mutual TLS is TLS");
      }
    }
  }

  /**
   * Who developers are: the tokens file (reloaded when it changes) and, with an issuer, JWT bearer
   * tokens of an OpenID Connect provider, checked against its JWKS.
   *
   * @param tokensReload how often the tokens file is looked at for a change ({@link Duration#ZERO}:
   *     read once)
   * @param oidcIssuer the issuer ({@code iss}) a JWT must name, also where discovery starts ({@code
   *     null}: no OIDC)
   * @param oidcJwksUrl the issuer's JWKS ({@code null}: from its discovery document)
   * @param oidcAudience what a JWT's {@code aud} must contain
   * @param identityClaim the claim that names the developer (the intercept's owner)
   * @param workloadsClaim the claim that lists the workloads a developer may intercept
   * @param groupsClaim the claim that lists the developer's groups
   * @param groupWorkloads each group's workloads (added to those of {@code workloadsClaim})
   * @param clockSkew how far {@code exp} and {@code nbf} may be off the router's clock
   */
  public record Identity(
      Duration tokensReload,
      URI oidcIssuer,
      URI oidcJwksUrl,
      String oidcAudience,
      String identityClaim,
      String workloadsClaim,
      String groupsClaim,
      Map<String, Set<String>> groupWorkloads,
      Duration clockSkew) {
    public static final Duration DEFAULT_TOKENS_RELOAD = Duration.ofSeconds(2);
    public static final String DEFAULT_IDENTITY_CLAIM = "preferred_username";
    public static final String DEFAULT_WORKLOADS_CLAIM = "sidetrack_workloads";
    public static final String DEFAULT_GROUPS_CLAIM = "groups";
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    /** The tokens file only, looked at every {@link #DEFAULT_TOKENS_RELOAD}. */
    public static final Identity DEFAULT =
        new Identity(
            DEFAULT_TOKENS_RELOAD,
            null,
            null,
            null,
            DEFAULT_IDENTITY_CLAIM,
            DEFAULT_WORKLOADS_CLAIM,
            DEFAULT_GROUPS_CLAIM,
            Map.of(),
            DEFAULT_CLOCK_SKEW);

    public Identity {
      requireNonNull(tokensReload, "tokensReload");
      requireNonNull(identityClaim, "identityClaim");
      requireNonNull(workloadsClaim, "workloadsClaim");
      requireNonNull(groupsClaim, "groupsClaim");
      requireNonNull(clockSkew, "clockSkew");
      Map<String, Set<String>> copy = new LinkedHashMap<>();
      requireNonNull(groupWorkloads, "groupWorkloads")
          .forEach((g, w) -> copy.put(g, Set.copyOf(w)));
      groupWorkloads = Map.copyOf(copy);
      if (tokensReload.isNegative()) {
        throw new IllegalArgumentException(
            "invalid --tokens-reload (SIDETRACK_TOKENS_RELOAD): '"
                + tokensReload
                + "' (0 or more)");
      }
      if (oidcIssuer != null) {
        checkHttpUrl("--oidc-issuer (SIDETRACK_OIDC_ISSUER)", oidcIssuer);
        if (oidcAudience == null || oidcAudience.isBlank()) {
          throw new IllegalArgumentException(
              "--oidc-issuer (SIDETRACK_OIDC_ISSUER) needs --oidc-audience"
                  + " (SIDETRACK_OIDC_AUDIENCE): the audience the router's tokens are issued for");
        }
      } else if (oidcJwksUrl != null || oidcAudience != null) {
        throw new IllegalArgumentException(
            "--oidc-jwks-url and --oidc-audience need --oidc-issuer (SIDETRACK_OIDC_ISSUER)");
      }
      if (oidcJwksUrl != null) {
        checkHttpUrl("--oidc-jwks-url (SIDETRACK_OIDC_JWKS_URL)", oidcJwksUrl);
      }
      for (String[] claim :
          new String[][] {
            {"--oidc-identity-claim (SIDETRACK_OIDC_IDENTITY_CLAIM)", identityClaim},
            {"--oidc-workloads-claim (SIDETRACK_OIDC_WORKLOADS_CLAIM)", workloadsClaim},
            {"--oidc-groups-claim (SIDETRACK_OIDC_GROUPS_CLAIM)", groupsClaim}
          }) {
        if (!claim[1].matches("[A-Za-z0-9_:./-]{1,100}")) {
          throw new IllegalArgumentException(
              "invalid " + claim[0] + ": '" + claim[1] + "' (a claim name)");
        }
      }
      if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
        throw new IllegalArgumentException(
            "invalid --oidc-clock-skew (SIDETRACK_OIDC_CLOCK_SKEW): '"
                + clockSkew
                + "' (0 to "
                + MAX_CLOCK_SKEW.toMinutes()
                + " minutes)");
      }
    }

    /** Whether JWTs are accepted. */
    public boolean oidc() {
      return oidcIssuer != null;
    }

    /**
     * This identity with JWTs of {@code issuer} for {@code audience} (the defaults for the rest).
     */
    public Identity withOidc(URI issuer, URI jwksUrl, String audience) {
      return new Identity(
          tokensReload,
          issuer,
          jwksUrl,
          audience,
          identityClaim,
          workloadsClaim,
          groupsClaim,
          groupWorkloads,
          clockSkew);
    }

    /**
     * Reads a group mapping: one {@code GROUP WORKLOAD[,WORKLOAD...]} per line, {@code #} starts a
     * comment.
     *
     * @throws IllegalArgumentException naming the source and line of the first bad entry
     */
    public static Map<String, Set<String>> groupWorkloads(String source, List<String> lines) {
      Map<String, Set<String>> groups = new LinkedHashMap<>();
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        int hash = line.indexOf('#');
        String content = (hash >= 0 ? line.substring(0, hash) : line).trim();
        if (content.isEmpty()) {
          continue;
        }
        String where = source + ":" + (i + 1);
        String[] parts = content.split("\\s+");
        if (parts.length != 2) {
          throw new IllegalArgumentException(
              where + ": expected GROUP WORKLOAD[,WORKLOAD...], got " + parts.length + " fields");
        }
        Set<String> workloads = new LinkedHashSet<>();
        for (String w : parts[1].split(",")) {
          if (!w.isEmpty() && !w.equals("*") && !InterceptValidator.isValidWorkload(w)) {
            throw new IllegalArgumentException(where + ": invalid workload '" + w + "'");
          }
          if (!w.isEmpty()) {
            workloads.add(w);
          }
        }
        if (workloads.isEmpty()) {
          throw new IllegalArgumentException(where + ": no workloads");
        }
        if (groups.put(parts[0], workloads) != null) {
          throw new IllegalArgumentException(where + ": group '" + parts[0] + "' appears twice");
        }
      }
      return groups;
    }

    private static void checkHttpUrl(String setting, URI url) {
      if (!("https".equals(url.getScheme()) || "http".equals(url.getScheme()))
          || url.getHost() == null
          || url.getRawQuery() != null
          || url.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "invalid " + setting + ": '" + url + "' (an https:// or http:// URL)");
      }
    }
  }

  public RouterConfig {
    requireNonNull(listenHost, "listenHost");
    requireNonNull(relayHost, "relayHost");
    requireNonNull(bootstrapServers, "bootstrapServers");
    requireNonNull(schemaRegistry, "schemaRegistry");
    requireNonNull(topicPrefix, "topicPrefix");
    requireNonNull(identity, "identity");
    requireNonNull(tls, "tls");
    if (tokensFile == null && !identity.oidc()) {
      throw new IllegalArgumentException(
          "no way to authenticate developers: pass --tokens (SIDETRACK_ROUTER_TOKENS) or"
              + " --oidc-issuer (SIDETRACK_OIDC_ISSUER)");
    }
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
        Identity.DEFAULT,
        Tls.NONE,
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
        identity,
        tls,
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
        identity,
        tls,
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
        identity,
        tls,
        signing);
  }

  /** This configuration with {@code newIdentity}'s way of knowing developers. */
  public RouterConfig withIdentity(Identity newIdentity) {
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
        newIdentity,
        tls,
        signing);
  }

  /** This configuration with these listeners' certificates ({@link Tls#NONE}: plain http). */
  public RouterConfig withTls(Tls newTls) {
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
        identity,
        newTls,
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
        identity,
        tls,
        newSigning);
  }

  /** This configuration with other extra Kafka client properties (security: SASL, TLS). */
  public RouterConfig withKafkaProperties(Map<String, String> properties) {
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
        properties,
        preview,
        identity,
        tls,
        signing);
  }
}
