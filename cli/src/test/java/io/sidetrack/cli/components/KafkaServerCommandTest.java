package io.sidetrack.cli.components;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KafkaServerCommandTest {
  @Test
  void variablesBecomePropertiesAsTheApacheKafkaImageMapsThem() {
    assertThat(KafkaServerCommand.propertyName("NODE_ID")).isEqualTo("node.id");
    assertThat(KafkaServerCommand.propertyName("LISTENER_NAME_EXTERNAL_SSL__CLIENT__AUTH"))
        .isEqualTo("listener.name.external.ssl_client_auth");
    assertThat(KafkaServerCommand.propertyName("SOME___DASHED_NAME")).isEqualTo("some-dashed.name");
  }

  @Test
  void launcherAndClientVariablesAreNotServerProperties() {
    Map<String, String> props =
        KafkaServerCommand.fromEnvironment(
            Map.of(
                "KAFKA_PROCESS_ROLES", "broker,controller",
                "KAFKA_HEAP_OPTS", "-Xmx1g",
                "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                "KAFKA_", "x",
                "SIDETRACK_HOME", "/tmp/sidetrack"));
    assertThat(props).containsExactly(Map.entry("process.roles", "broker,controller"));
  }

  @Test
  void propertyFlagWinsOverTheEnvironmentWhichWinsOverDefaults() {
    KafkaServerCommand command = new KafkaServerCommand();
    new CommandLine(command).parseArgs("--property", "node.id=3");
    command.environment = Map.of("KAFKA_NODE_ID", "2", "KAFKA_LOG_DIRS", "/data/kafka");
    assertThat(command.serverProperties())
        .containsEntry("node.id", "3")
        .containsEntry("log.dirs", "/data/kafka");
    command.environment = Map.of();
    assertThat(command.serverProperties())
        .containsEntry("log.dirs", KafkaServerCommand.DEFAULT_LOG_DIRS);
    assertThat(command.clusterId).isEqualTo(KafkaServerCommand.DEFAULT_CLUSTER_ID);
  }
}
