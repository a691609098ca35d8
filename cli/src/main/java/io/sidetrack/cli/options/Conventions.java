package io.sidetrack.cli.options;

import static java.util.Objects.requireNonNull;

import java.util.function.Function;
import picocli.CommandLine;

/**
 * Sidetrack's option conventions, set once on a command line and inherited by every subcommand:
 * environment variables as defaults ({@link EnvDefaultProvider}), help that lists them ({@link
 * EnvHelp}) and the converters of {@link Converters}.
 */
public final class Conventions {
  private Conventions() {}

  /**
   * Applies the conventions to {@code cli} and the subcommands it has now.
   *
   * @param env looks an environment variable up, {@code System::getenv} outside tests
   * @return {@code cli}
   */
  public static CommandLine install(CommandLine cli, Function<String, String> env) {
    requireNonNull(cli, "cli");
    cli.setDefaultValueProvider(new EnvDefaultProvider(env));
    cli.setHelpFactory(new EnvHelp());
    Converters.register(cli);
    return cli;
  }
}
