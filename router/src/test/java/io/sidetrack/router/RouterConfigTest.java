package io.sidetrack.router;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

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
}
