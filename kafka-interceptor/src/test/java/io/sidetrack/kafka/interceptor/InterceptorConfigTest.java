package io.sidetrack.kafka.interceptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InterceptorConfigTest {
  private static final Map<String, String> NO_ENV = Map.of();

  private static Map<String, Object> consumer() {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", "app-kafka:9092");
    c.put("security.protocol", "SASL_SSL");
    c.put("sasl.mechanism", "SCRAM-SHA-512");
    c.put("group.id", "orders");
    c.put(InterceptorConfig.WORKLOAD_CONFIG, "orders");
    c.put(InterceptorConfig.SCHEMA_REGISTRY_URL_CONFIG, "http://registry:8081");
    return c;
  }

  @Test
  void defaultsToTheConsumersOwnClusterAndCredentials() {
    InterceptorConfig c = InterceptorConfig.from(consumer(), NO_ENV::get);

    assertThat(c.bootstrapServers()).isEqualTo("app-kafka:9092");
    assertThat(c.kafkaProperties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .doesNotContainKey("group.id");
    assertThat(c.mode()).isEqualTo(InterceptorConfig.Mode.CLUSTER);
    assertThat(c.firstReadWait().toMillis())
        .isEqualTo(InterceptorConfig.DEFAULT_FIRST_READ_WAIT_MS);
    assertThat(c.agentId()).startsWith("orders-kafka-");
  }

  @Test
  void anotherClusterTakesOnlyTheSidetrackKafkaSettings() {
    Map<String, Object> given = consumer();
    given.put(InterceptorConfig.BOOTSTRAP_SERVERS_CONFIG, "sidetrack-kafka:9092");
    given.put("sidetrack.kafka.security.protocol", "SSL");

    InterceptorConfig c = InterceptorConfig.from(given, NO_ENV::get);

    assertThat(c.bootstrapServers()).isEqualTo("sidetrack-kafka:9092");
    assertThat(c.kafkaProperties()).isEqualTo(Map.of("security.protocol", "SSL"));
  }

  @Test
  void environmentVariablesFillWhatThePropertiesLeaveOut() {
    Map<String, Object> given = consumer();
    given.remove(InterceptorConfig.WORKLOAD_CONFIG);
    Map<String, String> env =
        Map.of(
            "SIDETRACK_WORKLOAD",
            "payments",
            "SIDETRACK_MODE",
            "developer",
            "SIDETRACK_DEVELOPER_ID",
            "alice",
            "SIDETRACK_SCHEMA_REGISTRY_URL",
            "http://other");

    InterceptorConfig c = InterceptorConfig.from(given, env::get);

    assertThat(c.workload()).isEqualTo("payments");
    assertThat(c.mode()).isEqualTo(InterceptorConfig.Mode.DEVELOPER);
    assertThat(c.developerId()).isEqualTo("alice");
    // a property wins over its variable
    assertThat(c.schemaRegistryUrl()).isEqualTo("http://registry:8081");
  }

  @Test
  void aBadOrMissingSettingNamesTheKeyAndTheValue() {
    Map<String, Object> noWorkload = consumer();
    noWorkload.remove(InterceptorConfig.WORKLOAD_CONFIG);
    assertThatThrownBy(() -> InterceptorConfig.from(noWorkload, NO_ENV::get))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sidetrack.workload");

    Map<String, Object> badMode = consumer();
    badMode.put(InterceptorConfig.MODE_CONFIG, "sideways");
    assertThatThrownBy(() -> InterceptorConfig.from(badMode, NO_ENV::get))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sideways")
        .hasMessageContaining("sidetrack.mode");

    Map<String, Object> developer = consumer();
    developer.put(InterceptorConfig.MODE_CONFIG, "developer");
    assertThatThrownBy(() -> InterceptorConfig.from(developer, NO_ENV::get))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sidetrack.developer.id");

    Map<String, Object> badWorkload = consumer();
    badWorkload.put(InterceptorConfig.WORKLOAD_CONFIG, "Orders_1");
    assertThatThrownBy(() -> InterceptorConfig.from(badWorkload, NO_ENV::get))
        .hasMessageContaining("Orders_1");
  }
}
