package io.sidetrack.cli;

import io.sidetrack.cli.options.Conventions;
import io.sidetrack.cli.options.UsageErrors;
import java.io.PrintWriter;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * What every entry point of the {@code sidetrack} command shares ({@link Sidetrack}, {@link
 * EdgeAgentMain}): the option conventions, and errors as one line (a run-time failure exits {@link
 * Sidetrack#EXIT_FAILURE}, bad flags or arguments {@link Sidetrack#EXIT_USAGE}).
 */
final class CommandLines {
  private CommandLines() {}

  /**
   * Installs the conventions on {@code cli} (environment variables read through {@code env} as
   * defaults, converters, help listing them) and its error handlers; {@code verbose} says whether
   * to print stack traces too.
   */
  static CommandLine configure(
      CommandLine cli, Function<String, String> env, BooleanSupplier verbose) {
    Conventions.install(cli, env);
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          PrintWriter err = cmd.getErr();
          err.println("sidetrack: error: " + messageOf(e));
          if (verbose.getAsBoolean()) {
            e.printStackTrace(err);
          }
          err.flush();
          return Sidetrack.EXIT_FAILURE;
        });
    cli.setParameterExceptionHandler(
        (e, args) -> {
          PrintWriter err = e.getCommandLine().getErr();
          err.println("sidetrack: " + UsageErrors.message(e));
          err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
          err.flush();
          return Sidetrack.EXIT_USAGE;
        });
    return cli;
  }

  private static String messageOf(Throwable e) {
    Throwable t = e;
    while ((t.getMessage() == null || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
