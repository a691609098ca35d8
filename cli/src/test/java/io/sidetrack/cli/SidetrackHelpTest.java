package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.cli.options.EnvVars;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class SidetrackHelpTest {

  private static String[] run(Map<String, String> env, String... args) {
    CommandLine cli = Sidetrack.commandLine(env::get);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new String[] {String.valueOf(exit), out.toString(), err.toString()};
  }

  @Test
  void routerHelpListsTheVariablesOfItsOwnOptionsAndItsMixins() {
    String help = run(Map.of(), "router", "--help")[1].replaceAll("\\s+", " ");
    assertThat(help)
        .contains("(env SIDETRACK_ROUTER_LISTEN; default 0.0.0.0:8070)")
        .contains("(env SIDETRACK_ROUTER_RELAY; default 0.0.0.0:8071)")
        .contains("(env SIDETRACK_AGENT_TIMEOUT; default 10s)")
        .contains("(env KAFKA_BOOTSTRAP_SERVERS; default localhost:9092)")
        .contains("(env SCHEMA_REGISTRY_URL; default http://localhost:8081)")
        .contains("(env SIDETRACK_TOPIC_PREFIX)")
        .contains("(env SIDETRACK_ROUTER_TOKENS)");
  }

  @Test
  void aBadDurationInTheEnvironmentIsAUsageErrorOfOneLine() {
    String[] r = run(Map.of("SIDETRACK_TTL", "forever"), "intercept", "demo", "--port", "1");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2].lines().findFirst())
        .hasValue(
            "sidetrack: invalid --ttl (SIDETRACK_TTL): 'forever' (expected a duration such as"
                + " 500ms, 2s or 5m)");
  }

  @Test
  void kafkaOptionsWithoutATopicOrAtOddsAreUsageErrorsBeforeAnyConnection() {
    String[] alone = run(Map.of(), "intercept", "demo", "--port", "1", "--kafka-direct");
    assertThat(alone[0]).isEqualTo("2");
    assertThat(alone[2].lines().findFirst())
        .hasValue("sidetrack: --kafka-direct is about the records of --topic; give a --topic");
    String[] both =
        run(
            Map.of(),
            "intercept",
            "demo",
            "--port",
            "1",
            "--topic",
            "orders",
            "--kafka-direct",
            "--local-kafka",
            "localhost:9092");
    assertThat(both[0]).isEqualTo("2");
    assertThat(both[2].lines().findFirst().orElseThrow())
        .startsWith("sidetrack: --kafka-direct and --local-kafka exclude each other");
    String[] port =
        run(
            Map.of(),
            "intercept",
            "demo",
            "--port",
            "1",
            "--topic",
            "t",
            "--local-kafka-port",
            "70000");
    assertThat(port[0]).isEqualTo("2");
    assertThat(port[2].lines().findFirst())
        .hasValue("sidetrack: invalid --local-kafka-port 70000 (0-65535)");
  }

  @Test
  void aLocalKafkaThatDoesNotAnswerIsOneLineBeforeAnyConnection() throws Exception {
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    String[] r =
        run(
            Map.of(),
            "intercept",
            "demo",
            "--port",
            "1",
            "--topic",
            "orders",
            "--local-kafka",
            "127.0.0.1:" + closed,
            "--router",
            "http://127.0.0.1:1",
            "--token",
            "t-0123456789abcdef");
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[2].lines().filter(l -> l.startsWith("sidetrack: error:")))
        .containsExactly(
            "sidetrack: error: no Kafka broker answers at 127.0.0.1:"
                + closed
                + " (--local-kafka) within 10 s");
  }

  @Test
  void aBadPreviewAccessIsAUsageErrorOfOneLineBeforeAnyConnection() {
    String[] r = run(Map.of(), "intercept", "demo", "--port", "1", "--preview-access", "all");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2].lines().findFirst())
        .hasValue(
            "sidetrack: invalid --preview-access (SIDETRACK_PREVIEW_ACCESS): 'all' (public or"
                + " token)");
    String[] fromEnv =
        run(Map.of("SIDETRACK_PREVIEW_ACCESS", "none"), "intercept", "demo", "--port", "1");
    assertThat(fromEnv[0]).isEqualTo("2");
    assertThat(fromEnv[2]).contains("'none' (public or token)");
  }

  @Test
  void aBadDurationFlagOfACommandWithoutVariableNamesOnlyTheFlag() {
    String[] r = run(Map.of(), "register", "demo", "--ttl", "1 hour");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2].lines().findFirst())
        .hasValue(
            "sidetrack: invalid --ttl: '1 hour' (expected a duration such as 500ms, 2s or 5m)");
  }

  /** Flag, variable and default of every option that had a variable before the convention. */
  @Test
  void everyFlagKeepsItsVariableAndDefault() {
    Set<String> found = new TreeSet<>();
    collect(Sidetrack.commandLine(name -> null), found);
    assertThat(found)
        .containsExactlyInAnyOrder(
            "--admin SIDETRACK_ADMIN 0.0.0.0:9901",
            "--advertise SIDETRACK_ROUTER_ADVERTISE ",
            "--advertised-host SIDETRACK_ADVERTISED_HOST ",
            "--agent-id SIDETRACK_AGENT_ID ",
            "--agent-timeout SIDETRACK_AGENT_TIMEOUT 10s",
            "--api-port SIDETRACK_API_PORT 8090",
            "--api-url SIDETRACK_API_URL ",
            "--apicurio-home SIDETRACK_APICURIO_HOME ",
            "--app SIDETRACK_APP 127.0.0.1:8081",
            "--max-heap SIDETRACK_MAX_HEAP 256m",
            "--app-http2 SIDETRACK_APP_HTTP2 false",
            "--application-id SIDETRACK_APPLICATION_ID sidetrack-registry-stream",
            "--bootstrap-servers KAFKA_BOOTSTRAP_SERVERS ",
            "--bootstrap-servers KAFKA_BOOTSTRAP_SERVERS localhost:9092",
            "--breaker-failures SIDETRACK_BREAKER_FAILURES 5",
            "--breaker-open-for SIDETRACK_BREAKER_OPEN_FOR 5s",
            "--bridge-baggage SIDETRACK_BRIDGE_BAGGAGE true",
            "--broker-restart-delay SIDETRACK_BROKER_RESTART_DELAY 15s",
            "--brokers SIDETRACK_BROKERS 1",
            "--cluster-id CLUSTER_ID 5L6g3nShT-eMCtK--X86sw",
            "--commit-interval SIDETRACK_COMMIT_INTERVAL 20ms",
            "--demo-port SIDETRACK_DEMO_PORT 8088",
            "--event-loops SIDETRACK_EVENT_LOOPS 2",
            "--fast-front SIDETRACK_FAST_FRONT true",
            "--frontend-port SIDETRACK_FRONTEND_PORT 8089",
            "--heartbeat-interval SIDETRACK_HEARTBEAT_INTERVAL 2s",
            "--idle-timeout SIDETRACK_IDLE_TIMEOUT 60s",
            "--if-missing SIDETRACK_IF_MISSING false",
            "--kafka-config SIDETRACK_KAFKA_CONFIG ",
            "--kafka-port SIDETRACK_KAFKA_PORT 9092",
            "--lease-check-interval SIDETRACK_LEASE_CHECK_INTERVAL 1s",
            "--listen SIDETRACK_LISTEN 0.0.0.0:8080",
            "--listen SIDETRACK_LISTEN 0.0.0.0:8081",
            "--listen SIDETRACK_LISTEN 0.0.0.0:8090",
            "--listen SIDETRACK_ROUTER_LISTEN 0.0.0.0:8070",
            "--kafka-direct SIDETRACK_KAFKA_DIRECT ",
            "--local-kafka SIDETRACK_LOCAL_KAFKA ",
            "--local-kafka-port SIDETRACK_LOCAL_KAFKA_PORT 0",
            "--max-ttl SIDETRACK_MAX_TTL 1h",
            "--partitions SIDETRACK_PARTITIONS 12",
            "--partitions SIDETRACK_PARTITIONS 6",
            "--preview-access SIDETRACK_PREVIEW_ACCESS token",
            "--preview-domain SIDETRACK_PREVIEW_DOMAIN preview.localhost",
            "--preview-listen SIDETRACK_PREVIEW_LISTEN ",
            "--preview-port SIDETRACK_PREVIEW_PORT 8072",
            "--preview-upstream SIDETRACK_PREVIEW_UPSTREAM ",
            "--processing-guarantee SIDETRACK_PROCESSING_GUARANTEE exactly_once_v2",
            "--registry-port SIDETRACK_REGISTRY_PORT 8081",
            "--relay SIDETRACK_ROUTER_RELAY 0.0.0.0:8071",
            "--replication-factor SIDETRACK_REPLICATION_FACTOR -1",
            "--router SIDETRACK_ROUTER_URL ",
            "--router-connect-timeout SIDETRACK_ROUTER_CONNECT_TIMEOUT 1s",
            "--router-port SIDETRACK_ROUTER_PORT 8070",
            "--schema-registry-basic-auth SCHEMA_REGISTRY_BASIC_AUTH ",
            "--schema-registry-token SCHEMA_REGISTRY_TOKEN ",
            "--schema-registry-truststore SCHEMA_REGISTRY_TRUSTSTORE ",
            "--schema-registry-truststore-password SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD ",
            "--schema-registry-url SCHEMA_REGISTRY_URL ",
            "--schema-registry-url SCHEMA_REGISTRY_URL http://localhost:8081",
            "--standby-replicas SIDETRACK_STANDBY_REPLICAS 0",
            "--state-dir SIDETRACK_STATE_DIR ",
            "--stream-threads SIDETRACK_STREAM_THREADS 1",
            "--token SIDETRACK_TOKEN ",
            "--tokens SIDETRACK_ROUTER_TOKENS ",
            "--trust-forwarded SIDETRACK_TRUST_FORWARDED private",
            "--topic-prefix SIDETRACK_TOPIC_PREFIX ",
            "--ttl SIDETRACK_TTL 30s",
            "--text SIDETRACK_TEXT Hello from the cluster's copy of demo",
            "--workload SIDETRACK_WORKLOAD ",
            "--principal SIDETRACK_PRINCIPAL ",
            "--kafka-acls SIDETRACK_KAFKA_ACLS false",
            "--create-users SIDETRACK_CREATE_USERS ",
            "--dry-run SIDETRACK_DRY_RUN false",
            "--secure SIDETRACK_SECURE false",
            "--tokens-reload SIDETRACK_TOKENS_RELOAD 2s",
            "--oidc-issuer SIDETRACK_OIDC_ISSUER ",
            "--oidc-jwks-url SIDETRACK_OIDC_JWKS_URL ",
            "--oidc-audience SIDETRACK_OIDC_AUDIENCE ",
            "--oidc-identity-claim SIDETRACK_OIDC_IDENTITY_CLAIM preferred_username",
            "--oidc-workloads-claim SIDETRACK_OIDC_WORKLOADS_CLAIM sidetrack_workloads",
            "--oidc-groups-claim SIDETRACK_OIDC_GROUPS_CLAIM groups",
            "--oidc-group-workloads SIDETRACK_OIDC_GROUP_WORKLOADS ",
            "--oidc-clock-skew SIDETRACK_OIDC_CLOCK_SKEW 60s",
            "--oidc-client-id SIDETRACK_OIDC_CLIENT_ID ",
            "--oidc-scope SIDETRACK_OIDC_SCOPE openid offline_access",
            "--ca SIDETRACK_CA ",
            "--relay-client-ca SIDETRACK_RELAY_CLIENT_CA ",
            "--relay-tls-cert SIDETRACK_RELAY_TLS_CERT ",
            "--relay-tls-key SIDETRACK_RELAY_TLS_KEY ",
            "--router-ca SIDETRACK_ROUTER_CA ",
            "--tls-cert SIDETRACK_TLS_CERT ",
            "--tls-key SIDETRACK_TLS_KEY ",
            "--signing-key SIDETRACK_SIGNING_KEY ",
            "--trusted-router-keys SIDETRACK_TRUSTED_ROUTER_KEYS ",
            "--agent-image SIDETRACK_AGENT_IMAGE ",
            "--listen SIDETRACK_INJECTOR_LISTEN 0.0.0.0:8443",
            "--trust-configmap SIDETRACK_TRUST_CONFIGMAP sidetrack-trust",
            "--kafka-config-secret SIDETRACK_KAFKA_CONFIG_SECRET ",
            "--router-ca-configmap SIDETRACK_ROUTER_CA_CONFIGMAP ",
            "--agent-cpu-request SIDETRACK_AGENT_CPU_REQUEST 50m",
            "--agent-memory-request SIDETRACK_AGENT_MEMORY_REQUEST 192Mi",
            "--agent-memory-limit SIDETRACK_AGENT_MEMORY_LIMIT 512Mi");
  }

  private static void collect(CommandLine cli, Set<String> found) {
    for (OptionSpec option : cli.getCommandSpec().options()) {
      EnvVars.of(option)
          .ifPresent(
              env ->
                  found.add(
                      option.longestName()
                          + " "
                          + env
                          + " "
                          + (option.defaultValue() == null ? "" : option.defaultValue())));
    }
    cli.getSubcommands().values().forEach(sub -> collect(sub, found));
  }

  @Test
  void aTrustedRouterKeyThatIsNoEd25519PointFailsRegistryStreamsStartInOneLine() throws Exception {
    // y = 2: a key the JDK's key factory reads, but no point of the curve
    byte[] spki =
        java.util.Arrays.copyOf(java.util.HexFormat.of().parseHex("302a300506032b6570032100"), 44);
    spki[12] = 2;
    java.nio.file.Path pem = java.nio.file.Files.createTempFile("not-a-point", ".pub.pem");
    java.nio.file.Files.writeString(
        pem,
        "-----BEGIN PUBLIC KEY-----\n"
            + java.util.Base64.getEncoder().encodeToString(spki)
            + "\n-----END PUBLIC KEY-----\n");

    String[] r =
        run(
            Map.of(),
            "registry-stream",
            "--bootstrap-servers",
            "127.0.0.1:1",
            "--schema-registry-url",
            "http://127.0.0.1:1",
            "--trusted-router-keys",
            pem.toString());

    assertThat(r[0]).isEqualTo(String.valueOf(Sidetrack.EXIT_FAILURE));
    assertThat(r[2].strip())
        .startsWith(
            "sidetrack: error: invalid --trusted-router-keys (SIDETRACK_TRUSTED_ROUTER_KEYS):")
        .contains("not a valid Ed25519 public key")
        .doesNotContain("\n");
  }

  @Test
  void keysGenerateWritesAPrivateKeyOnlyItsOwnerReadsAndAPublicKeyThatVerifiesIt()
      throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("keys").resolve("out");
    String[] r = run(Map.of(), "keys", "generate", "--out", dir.toString());
    assertThat(r[0]).as(r[2]).isEqualTo("0");
    assertThat(r[1]).contains("--signing-key", "--trusted-router-keys", "Key id: ");

    java.nio.file.Path priv = dir.resolve("router-signing.pem");
    assertThat(java.nio.file.Files.getPosixFilePermissions(priv))
        .containsExactlyInAnyOrder(
            java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    var signer =
        io.sidetrack.core.trust.RouteSigner.of(
            io.sidetrack.core.trust.Keys.privateKey(java.nio.file.Files.readString(priv)));
    var trusted =
        io.sidetrack.core.trust.TrustedKeys.of(
            io.sidetrack.core.trust.Keys.publicKeys(
                java.nio.file.Files.readString(dir.resolve("router-signing.pub.pem"))));
    assertThat(trusted.keyIds()).containsExactly(signer.keyId());
    assertThat(r[1]).contains(signer.keyId());

    String[] again = run(Map.of(), "keys", "generate", "--out", dir.toString());
    assertThat(again[0]).isNotEqualTo("0");
    String before = java.nio.file.Files.readString(priv);
    String[] kept = run(Map.of(), "keys", "generate", "--out", dir.toString(), "--if-missing");
    assertThat(kept[0]).as(kept[2]).isEqualTo("0");
    assertThat(kept[1]).contains("Keeping the key pair in " + dir);
    assertThat(java.nio.file.Files.readString(priv)).isEqualTo(before);
    java.nio.file.Path fresh = dir.resolveSibling("fresh");
    String[] made =
        run(Map.of("SIDETRACK_IF_MISSING", "true"), "keys", "generate", "--out", fresh.toString());
    assertThat(made[0]).as(made[2]).isEqualTo("0");
    assertThat(fresh.resolve("router-signing.pub.pem")).isRegularFile();
    String help = run(Map.of(), "keys", "generate", "--help")[1].replaceAll("\\s+", " ");
    assertThat(help).contains("for every router (--signing-key)").contains("To rotate");
  }
}
