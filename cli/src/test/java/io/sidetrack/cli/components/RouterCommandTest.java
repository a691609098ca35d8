package io.sidetrack.cli.components;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidetrack.cli.options.Conventions;
import io.sidetrack.router.RouterConfig;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RouterCommandTest {
  private static RouterConfig parse(Map<String, String> env, String... args) throws Exception {
    RouterCommand command = new RouterCommand();
    Conventions.install(new CommandLine(command), env::get).parseArgs(args);
    return command.toConfig();
  }

  @Test
  void thereIsNoPreviewListenerUnlessOneIsAskedFor() throws Exception {
    assertThat(parse(Map.of(), "--tokens", "t").preview()).isNull();
  }

  @Test
  void thePreviewFlagsMakeThePreviewListener() throws Exception {
    RouterConfig.Preview preview =
        parse(
                Map.of(),
                "--tokens",
                "t",
                "--preview-listen",
                "127.0.0.1:8072",
                "--preview-upstream",
                "demo=http://127.0.0.1:8088",
                "--preview-upstream",
                "frontend=http://127.0.0.1:8089")
            .preview();
    assertThat(preview.listenHost()).isEqualTo("127.0.0.1");
    assertThat(preview.listenPort()).isEqualTo(8072);
    assertThat(preview.domain()).isEqualTo("preview.localhost");
    assertThat(preview.upstreams())
        .containsEntry("demo", URI.create("http://127.0.0.1:8088"))
        .containsEntry("frontend", URI.create("http://127.0.0.1:8089"));
  }

  @Test
  void thePreviewVariablesDoTooWithCommaSeparatedUpstreams() throws Exception {
    RouterConfig.Preview preview =
        parse(
                Map.of(
                    "SIDETRACK_PREVIEW_LISTEN", ":8072",
                    "SIDETRACK_PREVIEW_DOMAIN", "preview.example.com",
                    "SIDETRACK_PREVIEW_UPSTREAM", "demo=http://a:1,shop=http://b:2"),
                "--tokens",
                "t")
            .preview();
    assertThat(preview.listenHost()).isEqualTo("0.0.0.0");
    assertThat(preview.domain()).isEqualTo("preview.example.com");
    assertThat(preview.upstreams()).containsOnlyKeys("demo", "shop");
  }

  @Test
  void anUpstreamWithoutAListenerOrABadOneIsOneLineNamingTheSetting() {
    assertThatThrownBy(
            () -> parse(Map.of(), "--tokens", "t", "--preview-upstream", "demo=http://a:1"))
        .hasMessage(
            "--preview-upstream (SIDETRACK_PREVIEW_UPSTREAM) needs --preview-listen"
                + " (SIDETRACK_PREVIEW_LISTEN)");
    assertThatThrownBy(
            () ->
                parse(
                    Map.of(),
                    "--tokens",
                    "t",
                    "--preview-listen",
                    ":0",
                    "--preview-upstream",
                    "demo=localhost:8088"))
        .hasMessage(
            "invalid --preview-upstream (SIDETRACK_PREVIEW_UPSTREAM): 'demo=localhost:8088'"
                + " (WORKLOAD=http://HOST:PORT)");
  }

  @Test
  void theOidcFlagsAndVariablesMakeTheIdentityWithTheGroupMappingRead(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path groups = dir.resolve("groups");
    java.nio.file.Files.writeString(groups, "# group workloads\nteam-shop shop,orders\nops *\n");
    RouterConfig.Identity identity =
        parse(
                Map.of("SIDETRACK_OIDC_AUDIENCE", "sidetrack"),
                "--oidc-issuer",
                "https://idp.example.com/realms/dev",
                "--oidc-group-workloads",
                groups.toString(),
                "--oidc-clock-skew",
                "30s")
            .identity();
    assertThat(identity.oidc()).isTrue();
    assertThat(identity.oidcIssuer()).isEqualTo(URI.create("https://idp.example.com/realms/dev"));
    assertThat(identity.oidcAudience()).isEqualTo("sidetrack");
    assertThat(identity.identityClaim()).isEqualTo("preferred_username");
    assertThat(identity.clockSkew()).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(identity.groupWorkloads())
        .containsEntry("team-shop", java.util.Set.of("shop", "orders"))
        .containsEntry("ops", java.util.Set.of("*"));
  }

  @Test
  void aRouterNeedsATokensFileOrAnIssuerAndAnIssuerNeedsAnAudience() {
    assertThatThrownBy(() -> parse(Map.of()))
        .hasMessage(
            "no way to authenticate developers: pass --tokens (SIDETRACK_ROUTER_TOKENS) or"
                + " --oidc-issuer (SIDETRACK_OIDC_ISSUER)");
    assertThatThrownBy(() -> parse(Map.of(), "--oidc-issuer", "https://idp.example.com"))
        .hasMessageStartingWith(
            "--oidc-issuer (SIDETRACK_OIDC_ISSUER) needs --oidc-audience (SIDETRACK_OIDC_AUDIENCE)");
    assertThatThrownBy(
            () ->
                parse(
                    Map.of(),
                    "--oidc-issuer",
                    "ftp://idp.example.com",
                    "--oidc-audience",
                    "sidetrack"))
        .hasMessage(
            "invalid --oidc-issuer (SIDETRACK_OIDC_ISSUER): 'ftp://idp.example.com' (an https:// or"
                + " http:// URL)");
  }

  @Test
  void aBadGroupMappingNamesItsFileAndLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path groups = dir.resolve("groups");
    java.nio.file.Files.writeString(groups, "team-shop shop\nlonely\n");
    assertThatThrownBy(
            () ->
                parse(
                    Map.of(),
                    "--tokens",
                    "t",
                    "--oidc-issuer",
                    "https://idp.example.com",
                    "--oidc-audience",
                    "a",
                    "--oidc-group-workloads",
                    groups.toString()))
        .hasMessage(groups + ":2: expected GROUP WORKLOAD[,WORKLOAD...], got 1 fields");
  }

  @Test
  void withoutCertificatesBothListenersArePlain() throws Exception {
    assertThat(parse(Map.of(), "--tokens", "t").tls()).isEqualTo(RouterConfig.Tls.NONE);
  }

  @Test
  void theTlsFlagsAndVariablesNameTheCertificatesOfBothListeners() throws Exception {
    RouterConfig.Tls tls =
        parse(
                Map.of(
                    "SIDETRACK_RELAY_TLS_CERT", "relay.crt",
                    "SIDETRACK_RELAY_TLS_KEY", "relay.key",
                    "SIDETRACK_RELAY_CLIENT_CA", "agents-ca.crt"),
                "--tokens",
                "t",
                "--tls-cert",
                "router.crt",
                "--tls-key",
                "router.key")
            .tls();
    assertThat(tls.listener())
        .isEqualTo(
            new RouterConfig.KeyPair(
                java.nio.file.Path.of("router.crt"), java.nio.file.Path.of("router.key")));
    assertThat(tls.relay().cert()).isEqualTo(java.nio.file.Path.of("relay.crt"));
    assertThat(tls.relayClientCa()).isEqualTo(java.nio.file.Path.of("agents-ca.crt"));
    assertThat(tls.reloadInterval()).isEqualTo(RouterConfig.Tls.DEFAULT_RELOAD_INTERVAL);
  }

  @Test
  void halfAPairOrAClientCaWithoutTlsIsOneLineNamingTheSettings() {
    assertThatThrownBy(() -> parse(Map.of(), "--tokens", "t", "--tls-cert", "a.crt"))
        .hasMessage("--tls-cert (SIDETRACK_TLS_CERT) needs --tls-key (SIDETRACK_TLS_KEY)");
    assertThatThrownBy(() -> parse(Map.of(), "--tokens", "t", "--relay-tls-key", "a.key"))
        .hasMessage(
            "--relay-tls-key (SIDETRACK_RELAY_TLS_KEY) needs --relay-tls-cert"
                + " (SIDETRACK_RELAY_TLS_CERT)");
    assertThatThrownBy(() -> parse(Map.of(), "--tokens", "t", "--relay-client-ca", "ca.crt"))
        .hasMessage(
            "--relay-client-ca (SIDETRACK_RELAY_CLIENT_CA) needs --relay-tls-cert and"
                + " --relay-tls-key: mutual TLS is TLS");
  }
}
