package io.sidetrack.cli.inject;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code node deploy/tools/k8s-validate/validate.mjs} on a file: every object checked against
 * the Kubernetes JSON schemas (npm kubernetes-models). Needs {@code npm install --prefix
 * deploy/tools/k8s-validate} once.
 */
final class K8sValidator {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path TOOL = ROOT.resolve("deploy/tools/k8s-validate");

  private K8sValidator() {}

  /** Asserts every object in {@code file} is valid; returns the tool's output. */
  static String assertValid(Path file) throws Exception {
    if (!Files.isDirectory(TOOL.resolve("node_modules"))) {
      Process npm =
          new ProcessBuilder("npm", "install", "--prefix", TOOL.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      assertThat(npm.waitFor(180, TimeUnit.SECONDS)).isTrue();
    }
    Process node =
        new ProcessBuilder("node", TOOL.resolve("validate.mjs").toString(), file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(node.exitValue()).as(out).isZero();
    assertThat(out).doesNotContain("INVALID");
    return out;
  }
}
