package io.sidetrack.cli.components;

import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.cli.options.HostPort;
import io.sidetrack.embedded.EmbeddedSchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sidetrack schema-registry} (hidden): Apicurio Registry 2.6 (in-memory) from its runner
 * jar, on this JVM's runtime, so that a compose stack can run the schema registry from the
 * sidetrack image where the {@code apicurio/apicurio-registry-mem} image cannot be pulled.
 */
@Command(
    name = SchemaRegistryCommand.NAME,
    hidden = true,
    mixinStandardHelpOptions = true,
    description = {
      "Run Apicurio Registry (in-memory storage) from its runner jar, in a child JVM on this"
          + " runtime, until stopped. Its Confluent-compatible API is at /apis/ccompat/v7.",
      "For compose stacks and containers; 'sidetrack up' runs its own."
    })
public final class SchemaRegistryCommand implements Callable<Integer> {
  public static final String NAME = "schema-registry";

  @EnvVar
  @Option(
      names = "--listen",
      defaultValue = "0.0.0.0:8080",
      description = "HOST:PORT to serve on (quarkus.http.host and quarkus.http.port).")
  HostPort listen;

  @EnvVar(EmbeddedSchemaRegistry.HOME_ENV)
  @Option(
      names = "--apicurio-home",
      description = "Directory holding apicurio-registry-app-*-runner.jar (required).")
  Path home;

  @EnvVar
  @Option(names = "--max-heap", defaultValue = "256m", description = "The registry JVM's -Xmx.")
  String maxHeap;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path runner = runnerJar(home);
    // Apicurio writes beside its working directory: the temporary one, writable in the image
    Process process =
        new ProcessBuilder(command(runner))
            .directory(new java.io.File(System.getProperty("java.io.tmpdir")))
            .inheritIO()
            .start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  process.destroy();
                  try {
                    process.waitFor();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "stop-schema-registry"));
    return process.waitFor();
  }

  List<String> command(Path runner) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + maxHeap);
    command.add("-XX:+UseSerialGC");
    command.add("-Dquarkus.http.host=" + listen.host());
    command.add("-Dquarkus.http.port=" + listen.port());
    command.add("-jar");
    command.add(runner.toString());
    return command;
  }

  private Path runnerJar(Path dir) throws Exception {
    if (dir != null && Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        var jar =
            files
                .filter(p -> p.getFileName().toString().startsWith("apicurio-registry-app-"))
                .filter(p -> p.getFileName().toString().endsWith("-runner.jar"))
                .findFirst();
        if (jar.isPresent()) {
          return jar.get();
        }
      }
    }
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(),
        "no apicurio-registry-app-*-runner.jar in "
            + dir
            + " (--apicurio-home / "
            + EmbeddedSchemaRegistry.HOME_ENV
            + "; the build unpacks it into "
            + EmbeddedSchemaRegistry.BUILD_HOME
            + ")");
  }
}
