package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.cli.context.Context;
import io.sidetrack.cli.context.ContextFile;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive as a user installs it: the real {@code sidetrack-<version>.tar.gz} unpacked
 * into a directory outside the checkout and run with an environment that names no checkout path (no
 * Maven, no {@code SIDETRACK_APICURIO_HOME}), from its own working directory.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DistributionArchiveIT {
  private static final Path ARCHIVE =
      Path.of(System.getProperty("sidetrack.dist.archive", "target/missing.tar.gz"))
          .toAbsolutePath();
  private static final Path CHECKOUT = Path.of("..").toAbsolutePath().normalize();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path installDir;
  private static Path sidetrack;
  private static Path unpacked;
  private static String version;
  private Process up;

  @BeforeAll
  static void unpack() throws Exception {
    assertThat(ARCHIVE).as("built by the package phase").exists();
    assertThat(installDir.toString()).doesNotStartWith(CHECKOUT.toString());
    Process tar =
        new ProcessBuilder("tar", "-xzf", ARCHIVE.toString(), "-C", installDir.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(tar.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(tar.exitValue()).as(new String(tar.getInputStream().readAllBytes())).isZero();
    String name = ARCHIVE.getFileName().toString().replaceFirst("\\.tar\\.gz$", "");
    version = name.substring("sidetrack-".length());
    unpacked = installDir.resolve(name);
    sidetrack = unpacked.resolve("bin/sidetrack");
    assertThat(sidetrack).isExecutable();
    assertThat(unpacked.resolve("lib/cli.classpath")).exists();
    assertThat(unpacked.resolve("lib/edge-agent.classpath")).exists();
    assertThat(unpacked.resolve("THIRD-PARTY.txt")).content().contains("kafka-clients");
  }

  @AfterEach
  void stop() throws Exception {
    if (up != null && up.isAlive()) {
      up.destroy();
      if (!up.waitFor(60, TimeUnit.SECONDS)) {
        up.destroyForcibly();
      }
    }
  }

  /** {@code bin/sidetrack} of the unpacked archive with a user's environment: no checkout path. */
  private static ProcessBuilder sidetrack(Path home, Path output, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(sidetrack.toString());
    command.addAll(List.of(args));
    Path cwd = Files.createDirectories(home.resolve("cwd"));
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
    pb.redirectOutput(output.toFile());
    Map<String, String> env = pb.environment();
    env.clear();
    String javaBin = Path.of(System.getProperty("java.home"), "bin").toString();
    env.put("PATH", javaBin + File.pathSeparator + "/usr/local/bin:/usr/bin:/bin");
    env.put("HOME", home.toString());
    env.put(ContextFile.HOME_ENV, home.resolve("sidetrack").toString());
    env.values().forEach(v -> assertThat(v).doesNotContain(CHECKOUT.toString()));
    return pb;
  }

  private static String run(Path home, int expectedExit, String... args) throws Exception {
    Path output = Files.createTempFile(home, "out", ".txt");
    Process p = sidetrack(home, output, args).start();
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    String out = Files.readString(output);
    assertThat(p.exitValue()).as(out).isEqualTo(expectedExit);
    return out;
  }

  @Test
  void versionHelpAndUsageErrorRunFromTheUnpackedArchive(@TempDir Path home) throws Exception {
    assertThat(run(home, 0, "--version").trim()).isEqualTo("sidetrack " + version);
    assertThat(run(home, 0, "--help"))
        .contains("Usage: sidetrack")
        .contains("up")
        .contains("intercept")
        .contains("edge-agent");
    String usage = run(home, 2, "--no-such-flag");
    assertThat(usage).startsWith("sidetrack: Unknown option: '--no-such-flag'");
    assertThat(usage).doesNotContain("\tat ");
    assertThat(usage.lines().count()).isLessThanOrEqualTo(2);
    assertThat(run(home, 0, "edge-agent", "--help")).contains("--workload");
  }

  /**
   * The edge agent's classpath, as bin/sidetrack puts it together, holds no signed jar and no class
   * file older than Java 6 but slf4j 1.7's. The JVM checks a signed jar's manifest and signature
   * when it loads its first class and hashes every class it loads from it; it verifies old class
   * files the slow way at every start, and an AOT cache cannot hold them linked. Both cost every
   * new agent CPU while it reads its routes (picocli's release jar and Bouncy Castle's signed one
   * did, before third-party/ rebuilt them).
   */
  @Test
  void theEdgeAgentsClasspathHasNoSignedJarAndNoOldClassFiles() throws Exception {
    Path lib = unpacked.resolve("lib");
    List<Path> jars = new ArrayList<>();
    for (String entry : Files.readString(lib.resolve("edge-agent.classpath")).trim().split(":")) {
      jars.add(unpacked.resolve(entry));
    }
    try (Stream<Path> files = Files.list(lib)) {
      files
          .filter(
              f -> {
                String n = f.getFileName().toString();
                return n.startsWith("picocli-")
                    || n.startsWith("sidetrack-cli-")
                    || n.startsWith("sidetrack-edge-agent-");
              })
          .forEach(jars::add);
    }
    assertThat(jars).anyMatch(j -> j.getFileName().toString().startsWith("picocli-"));
    List<String> signed = new ArrayList<>();
    List<String> old = new ArrayList<>();
    for (Path jar : jars) {
      try (JarFile file = new JarFile(jar.toFile(), false)) {
        for (JarEntry e : Collections.list(file.entries())) {
          String n = e.getName();
          if (n.matches("META-INF/[^/]+\\.(SF|RSA|DSA|EC)")) {
            signed.add(jar.getFileName() + " " + n);
          }
          if (n.endsWith(".class")
              && !n.startsWith("META-INF/")
              && !n.endsWith("module-info.class")) {
            try (DataInputStream in = new DataInputStream(file.getInputStream(e))) {
              in.readInt(); // magic
              in.readUnsignedShort(); // minor
              if (in.readUnsignedShort() < 50
                  && !jar.getFileName().toString().startsWith("slf4j-")) {
                old.add(jar.getFileName() + " " + n);
              }
            }
          }
        }
      }
    }
    assertThat(signed).isEmpty();
    assertThat(old).isEmpty();
  }

  @Test
  void upRunsTheStackAndRecordsItsStartupArchiveInTheUserCache(@TempDir Path home)
      throws Exception {
    Path output = home.resolve("up.out");
    up =
        sidetrack(
                home,
                output,
                "up",
                "--kafka-port",
                "0",
                "--registry-port",
                "0",
                "--api-port",
                "0",
                "--router-port",
                "0",
                "--demo-port",
                "0",
                "--frontend-port",
                "0",
                "--preview-port",
                "0")
            .start();
    Path sidetrackHome = home.resolve("sidetrack");
    await()
        .atMost(Duration.ofMinutes(3))
        .until(() -> Files.exists(ContextFile.path(sidetrackHome)) || !up.isAlive());
    assertThat(up.isAlive()).as(Files.readString(output)).isTrue();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Files.readString(output).contains("Sidetrack is up."));
    Context context = ContextFile.read(sidetrackHome).orElseThrow();

    // the demo workload answers through its edge agent (run on the archive's agent classpath)
    HttpResponse<String> demo =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(context.demoUrl() + "/hello"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(demo.statusCode()).isEqualTo(200);

    // a developer's command against it: the live agents of up's workloads
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(run(home, 0, "agents")).contains("demo"));

    up.destroy();
    assertThat(up.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(output)).contains("Stopped.");

    // AppCDS: the run recorded its classes in the user's cache, not in the unpacked folder
    Path cds = home.resolve(".cache/sidetrack/" + version + "/cds");
    assertThat(cds).isDirectory();
    try (Stream<Path> files = Files.list(cds)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .anyMatch(f -> f.startsWith("up.jsa"))
          .anyMatch(f -> f.startsWith("agents.jsa"));
    }
    assertThat(sidetrack.getParent().getParent().resolve("cli")).doesNotExist();
  }
}
