package io.sidetrack.cli.components;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidetrack.cli.options.Conventions;
import io.sidetrack.cli.options.UsageErrors;
import io.sidetrack.stream.RegistryStreamConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RegistryStreamCommandTest {

  private static RegistryStreamConfig parse(String... args) throws Exception {
    RegistryStreamCommand command = new RegistryStreamCommand();
    Conventions.install(new CommandLine(command), name -> null).parseArgs(args);
    return command.toConfig();
  }

  @Test
  void defaultsAreTheDocumentedOnes() throws Exception {
    RegistryStreamConfig config = parse();
    assertThat(config.applicationId()).isEqualTo("sidetrack-registry-stream");
    assertThat(config.processingGuarantee()).isEqualTo("exactly_once_v2");
    assertThat(config.listenPort()).isEqualTo(8090);
    assertThat(config.partitions()).isEqualTo(12);
    assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(20));
    assertThat(config.limits().maxTtl()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void flagsOverrideDefaults() throws Exception {
    RegistryStreamConfig config =
        parse("--listen", "127.0.0.1:0", "--max-ttl", "10m", "--topic-prefix", "dev.");
    assertThat(config.listenHost()).isEqualTo("127.0.0.1");
    assertThat(config.limits().maxTtl()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.topics().routes()).isEqualTo("dev.sidetrack.routes");
  }

  @Test
  void badValuesNameTheSettingAndTheValue() {
    assertThatThrownBy(() -> parse("--processing-guarantee", "maybe"))
        .hasMessage(
            "invalid --processing-guarantee (SIDETRACK_PROCESSING_GUARANTEE): 'maybe'"
                + " (exactly_once_v2 or at_least_once)");
    assertThatThrownBy(() -> parse("--listen", "localhost:99999"))
        .isInstanceOfSatisfying(
            CommandLine.ParameterException.class,
            e ->
                assertThat(UsageErrors.message(e))
                    .isEqualTo(
                        "invalid --listen (SIDETRACK_LISTEN): 'localhost:99999'"
                            + " (expected HOST:PORT; the port must be 0-65535)"));
    assertThatThrownBy(() -> parse("--commit-interval", "fast"))
        .isInstanceOfSatisfying(
            CommandLine.ParameterException.class,
            e ->
                assertThat(UsageErrors.message(e))
                    .startsWith("invalid --commit-interval (SIDETRACK_COMMIT_INTERVAL): 'fast'"));
    assertThatThrownBy(() -> parse("--partitions", "0"))
        .hasMessageContaining("invalid --partitions (SIDETRACK_PARTITIONS): '0'");
  }
}
