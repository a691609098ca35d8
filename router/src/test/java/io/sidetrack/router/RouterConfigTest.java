package io.sidetrack.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidetrack.core.trust.Keys;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterConfigTest {
  private final RouterConfig base =
      RouterConfig.of(
          "localhost:9092", SchemaRegistryConfig.of("http://localhost:8081"), Path.of("tokens"));

  @Test
  void aBadPortNamesTheFlagTheEnvironmentVariableAndTheValue() {
    assertThatThrownBy(() -> base.withPorts(70_000, 0, null))
        .hasMessage("invalid --listen (SIDETRACK_ROUTER_LISTEN) port: '70000' (0-65535)");
    assertThatThrownBy(() -> base.withPorts(0, -1, null))
        .hasMessage("invalid --relay (SIDETRACK_ROUTER_RELAY) port: '-1' (0-65535)");
  }

  @Test
  void aBadAdvertisedAddressNamesTheSettingAndTheValue() {
    assertThatThrownBy(() -> base.withPorts(0, 0, "no-port"))
        .hasMessage("invalid --advertise (SIDETRACK_ROUTER_ADVERTISE): 'no-port' (HOST:PORT)");
  }

  @Test
  void thereIsNoPreviewListenerUnlessConfigured() {
    assertThat(base.preview()).isNull();
    RouterConfig.Preview preview =
        new RouterConfig.Preview(
            "127.0.0.1",
            0,
            RouterConfig.Preview.DEFAULT_DOMAIN,
            RouterConfig.Preview.upstreams(List.of("demo=http://127.0.0.1:8088")));
    RouterConfig with = base.withPreview(preview);
    assertThat(with.preview().upstreams())
        .containsEntry("demo", URI.create("http://127.0.0.1:8088"));
    // the other withers keep it
    assertThat(with.withPorts(1, 2, null).withTopicPrefix("p.").preview()).isEqualTo(preview);
  }

  @Test
  void badPreviewSettingsNameTheFlagTheVariableAndTheValue() {
    assertThatThrownBy(
            () -> new RouterConfig.Preview("127.0.0.1", 70_000, "preview.localhost", Map.of()))
        .hasMessage("invalid --preview-listen (SIDETRACK_PREVIEW_LISTEN) port: '70000' (0-65535)");
    assertThatThrownBy(() -> new RouterConfig.Preview("127.0.0.1", 0, "Preview_Host", Map.of()))
        .hasMessage(
            "invalid --preview-domain (SIDETRACK_PREVIEW_DOMAIN): 'Preview_Host' (a lower-case DNS"
                + " name such as preview.example.com)");
    for (String bad :
        List.of(
            "demo",
            "demo=",
            "=http://h:1",
            "Demo_1=http://h:1",
            "demo=https://h:1",
            "demo=http://h",
            "demo=http://h:1/path",
            "demo=h:1")) {
      assertThatThrownBy(() -> RouterConfig.Preview.upstreams(List.of(bad)))
          .hasMessageStartingWith("invalid --preview-upstream (SIDETRACK_PREVIEW_UPSTREAM): '")
          .hasMessageEndingWith("' (WORKLOAD=http://HOST:PORT)");
    }
    assertThatThrownBy(
            () -> RouterConfig.Preview.upstreams(List.of("demo=http://a:1", "demo=http://b:2")))
        .hasMessage(
            "invalid --preview-upstream (SIDETRACK_PREVIEW_UPSTREAM): workload 'demo' is named"
                + " twice");
  }

  @Test
  void aRouterWithoutASigningKeyDoesNotStartAndSaysHowToMakeOne() {
    assertThatThrownBy(() -> Router.start(base))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--signing-key (SIDETRACK_SIGNING_KEY)")
        .hasMessageContaining("sidetrack keys generate");
  }

  @Test
  void theSigningKeyIsReadFromItsPemFileAndABadOneNamesTheSettingAndFile(@TempDir Path dir)
      throws Exception {
    var pair = Keys.generate();
    Path good = Files.writeString(dir.resolve("k.pem"), Keys.privateKeyPem(pair.getPrivate()));
    Path bad = Files.writeString(dir.resolve("bad.pem"), Keys.publicKeyPem(pair.getPublic()));

    assertThat(RouterConfig.Signing.read(good).signer().keyId())
        .isEqualTo(io.sidetrack.core.trust.TrustedKeys.keyIdOf(pair.getPublic()));
    assertThatThrownBy(() -> RouterConfig.Signing.read(bad))
        .hasMessageStartingWith("invalid --signing-key (SIDETRACK_SIGNING_KEY) " + bad + ": ");
    assertThatThrownBy(() -> RouterConfig.Signing.read(dir.resolve("missing.pem")))
        .hasMessageStartingWith("cannot read --signing-key (SIDETRACK_SIGNING_KEY) ");
  }
}
