package io.sidetrack.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EdgeAgentConfigTest {
  private static final EdgeAgentConfig BASE =
      EdgeAgentConfig.of(
          "demo",
          "127.0.0.1",
          0,
          "127.0.0.1",
          8081,
          "localhost:9092",
          SchemaRegistryConfig.of("http://localhost:8081"));

  private static EdgeAgentConfig with(
      Duration connectTimeout, Duration openFor, Duration heartbeat) {
    EdgeAgentConfig b = BASE;
    return new EdgeAgentConfig(
        b.workload(),
        b.agentId(),
        b.listenHost(),
        b.listenPort(),
        b.appHost(),
        b.appPort(),
        b.appHttp2(),
        b.adminHost(),
        b.adminPort(),
        b.bootstrapServers(),
        b.schemaRegistry(),
        b.topicPrefix(),
        connectTimeout,
        b.breakerFailures(),
        openFor,
        heartbeat,
        b.eventLoops(),
        b.fastFront(),
        b.idleTimeout(),
        b.bridgeBaggage(),
        b.trustForwarded(),
        Map.of(),
        b.routerTls(),
        TestRouterKeys.TRUSTED);
  }

  @Test
  void theDefaultsAreTheNamedConstants() {
    assertThat(BASE.topicPrefix()).isEqualTo(EdgeAgentConfig.DEFAULT_TOPIC_PREFIX);
    assertThat(BASE.adminHost()).isEqualTo(EdgeAgentConfig.DEFAULT_ADMIN_HOST);
    assertThat(BASE.heartbeatInterval()).isEqualTo(EdgeAgentConfig.DEFAULT_HEARTBEAT_INTERVAL);
    assertThat(BASE.fastFront()).isEqualTo(EdgeAgentConfig.DEFAULT_FAST_FRONT);
    assertThat(BASE.bridgeBaggage()).isEqualTo(EdgeAgentConfig.DEFAULT_BRIDGE_BAGGAGE).isTrue();
    assertThat(BASE.withBridgeBaggage(false).bridgeBaggage()).isFalse();
  }

  @Test
  void aZeroHeartbeatIntervalNamesTheFlagTheVariableAndTheValue() {
    Duration ok = Duration.ofSeconds(1);
    assertThatThrownBy(() -> with(ok, ok, Duration.ZERO))
        .hasMessage(
            "invalid --heartbeat-interval (SIDETRACK_HEARTBEAT_INTERVAL): 'PT0S' (a positive"
                + " duration)");
  }

  @Test
  void aNonPositiveRouterConnectTimeoutIsRefused() {
    Duration ok = Duration.ofSeconds(1);
    assertThatThrownBy(() -> with(Duration.ofMillis(-1), ok, ok))
        .hasMessageStartingWith(
            "invalid --router-connect-timeout (SIDETRACK_ROUTER_CONNECT_TIMEOUT): 'PT-0.001S'");
  }

  @Test
  void aNegativeBreakerOpenForIsRefusedAndZeroIsAllowed() {
    Duration ok = Duration.ofSeconds(1);
    assertThatThrownBy(() -> with(ok, Duration.ofSeconds(-5), ok))
        .hasMessage("invalid --breaker-open-for (SIDETRACK_BREAKER_OPEN_FOR): 'PT-5S' (0 or more)");
    assertThat(with(ok, Duration.ZERO, ok).breakerOpenFor()).isZero();
  }

  @Test
  void anAgentWithoutTrustedRouterKeysDoesNotStartAndSaysWhichFlagToPass() {
    assertThatThrownBy(() -> EdgeAgent.start(BASE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "no trusted router keys: pass --trusted-router-keys (SIDETRACK_TRUSTED_ROUTER_KEYS)");
  }
}
