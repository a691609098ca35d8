package io.sidetrack.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import org.junit.jupiter.api.Test;

class RegistryStreamConfigTest {
  private static RegistryStreamConfig.Builder builder() {
    return RegistryStreamConfig.builder(
        "localhost:9092", SchemaRegistryConfig.of("http://localhost:8081"));
  }

  @Test
  void theBuildersDefaultsAreTheNamedConstants() {
    RegistryStreamConfig config = builder().build();
    assertThat(config.topicPrefix()).isEqualTo(RegistryStreamConfig.DEFAULT_TOPIC_PREFIX);
    assertThat(config.stateDir()).isEqualTo(RegistryStreamConfig.DEFAULT_STATE_DIR);
    assertThat(config.standbyReplicas()).isEqualTo(RegistryStreamConfig.DEFAULT_STANDBY_REPLICAS);
    assertThat(config.streamThreads()).isEqualTo(RegistryStreamConfig.DEFAULT_STREAM_THREADS);
    assertThat(config.listenPort()).isEqualTo(RegistryStreamConfig.DEFAULT_LISTEN_PORT);
    assertThat(config.advertisedHost()).isEqualTo("127.0.0.1");
  }

  @Test
  void aBadValueNamesTheFlagTheVariableAndTheValue() {
    assertThatThrownBy(() -> builder().streamThreads(0).build())
        .hasMessage("invalid --stream-threads (SIDETRACK_STREAM_THREADS): '0' (1 or more)");
    assertThatThrownBy(() -> builder().topicPrefix("a b").build())
        .hasMessage(
            "invalid --topic-prefix (SIDETRACK_TOPIC_PREFIX): 'a b' (letters, digits, '.', '_' or"
                + " '-')");
  }
}
