package io.sidetrack.cli.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sidetrack inject} as a real process (bin/sidetrack) on a multi-document manifest: the
 * opted-in workload gets the agent, the other documents come out unchanged, the output validates
 * against the Kubernetes schemas, and a second pass changes nothing.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class InjectCommandIT {
  static final Path ROOT = K8sValidator.ROOT;
  static final Path MANIFEST = ROOT.resolve("cli/src/test/resources/inject/manifest.yaml");

  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  Run inject(Path input, String... extra) throws Exception {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                ROOT.resolve("bin/sidetrack").toString(),
                "inject",
                "-f",
                input.toString(),
                "--bootstrap-servers",
                "kafka:9092",
                "--schema-registry-url",
                "http://registry:8080/apis/ccompat/v7"));
    command.addAll(List.of(extra));
    Path out = dir.resolve("out-" + System.nanoTime());
    Path err = dir.resolve("err-" + System.nanoTime());
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("SIDETRACK_HOME", dir.resolve("home").toString());
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  static List<JsonNode> documents(String yaml) throws Exception {
    try (MappingIterator<JsonNode> it =
        new YAMLMapper().readerFor(JsonNode.class).readValues(yaml)) {
      return it.readAll();
    }
  }

  @Test
  void injectsTheOptedInWorkloadAndKeepsTheRest() throws Exception {
    Run run = inject(MANIFEST);
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).contains("Deployment/orders injected").doesNotContain("ledger");

    List<JsonNode> in = documents(Files.readString(MANIFEST));
    List<JsonNode> out = documents(run.out());
    assertThat(out).hasSize(4);
    assertThat(out.get(0)).isEqualTo(in.get(0));
    assertThat(out.get(2)).isEqualTo(in.get(2));
    assertThat(out.get(3)).as("not opted in").isEqualTo(in.get(3));
    JsonNode pod = out.get(1).at("/spec/template/spec");
    assertThat(pod.at("/containers/1/name").asText()).isEqualTo("sidetrack-agent");
    assertThat(pod.at("/containers/1/ports/0/name").asText()).isEqualTo("http");
    assertThat(pod.at("/containers/0/ports/0/name").asText()).isEqualTo("app-http");
    assertThat(pod.at("/containers/0/readinessProbe/httpGet/port").asText()).isEqualTo("app-http");
    assertThat(out.get(1).at("/spec/replicas").isInt()).as("numbers stay numbers").isTrue();

    Path injected = dir.resolve("injected.yaml");
    Files.writeString(injected, run.out());
    assertThat(K8sValidator.assertValid(injected)).contains("Deployment/orders");

    Run again = inject(injected);
    assertThat(again.exit()).isZero();
    assertThat(documents(again.out())).isEqualTo(out);
  }

  @Test
  void allInjectsWorkloadsWithoutTheAnnotationToo() throws Exception {
    Run run = inject(MANIFEST, "--all");
    assertThat(run.exit()).as(run.err()).isZero();
    List<JsonNode> out = documents(run.out());
    assertThat(out.get(3).at("/spec/template/spec/containers/1/name").asText())
        .isEqualTo("sidetrack-agent");
    Path injected = dir.resolve("all.yaml");
    Files.writeString(injected, run.out());
    K8sValidator.assertValid(injected);
  }

  @Test
  void errorsAreOneLineWithAnExitCode() throws Exception {
    Run missing = inject(dir.resolve("nope.yaml"));
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err().strip())
        .isEqualTo("sidetrack: error: no such file: " + dir.resolve("nope.yaml"));

    Path refused = dir.resolve("refused.yaml");
    Files.writeString(
        refused,
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: legacy
          annotations:
            sidetrack.io/inject: "true"
        spec:
          containers:
            - name: legacy
              image: legacy:1
              ports:
                - containerPort: 8000
        """,
        StandardCharsets.UTF_8);
    Run run = inject(refused);
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err()).startsWith("sidetrack: Pod/legacy not injected: ");
    assertThat(documents(run.out())).isEqualTo(documents(Files.readString(refused)));

    Path notYaml = dir.resolve("bad.yaml");
    Files.writeString(notYaml, "a: [unclosed\n");
    Run bad = inject(notYaml);
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err().lines()).hasSize(1);
  }
}
