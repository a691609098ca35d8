package io.sidetrack.cli;

import io.sidetrack.cli.context.ContextFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The checkout's {@code bin/sidetrack} as the process tests start it: a real process of the
 * launcher, its output and errors in one file, its own home for contexts and tokens ({@link
 * ContextFile#HOME_ENV}).
 */
final class Launcher {
  /** The checkout: tests run in {@code cli/}. */
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private Launcher() {}

  /** {@code bin/sidetrack args...}, with {@code home} as its home, writing into {@code output}. */
  static ProcessBuilder sidetrack(Path home, Path output, String... args) {
    List<String> command = new ArrayList<>();
    command.add(ROOT.resolve("bin/sidetrack").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(output.toFile());
    pb.environment().put(ContextFile.HOME_ENV, home.toString());
    return pb;
  }

  /** Stops {@code process} if it runs, as Ctrl-C would (it shuts down), waiting up to a minute. */
  static void stop(Process process) throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      process.waitFor(60, TimeUnit.SECONDS);
    }
  }
}
