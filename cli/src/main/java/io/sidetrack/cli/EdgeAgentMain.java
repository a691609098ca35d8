package io.sidetrack.cli;

import io.sidetrack.cli.components.EdgeAgentCommand;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sidetrack edge-agent} as a sidecar runs it: {@code bin/sidetrack} starts this class, with
 * the edge-agent module's runtime classpath instead of the whole CLI's, so the JVM beside every pod
 * loads only what the agent runs (no other command, no log4j: it logs through slf4j-simple to
 * stderr). The command, its flags, help and errors are those of {@code sidetrack edge-agent}.
 */
@Command(
    name = "sidetrack",
    mixinStandardHelpOptions = true,
    versionProvider = Sidetrack.Version.class,
    subcommands = {EdgeAgentCommand.class})
public final class EdgeAgentMain {
  @Option(
      names = {"-v", "--verbose"},
      scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces of errors.")
  boolean verbose;

  public static void main(String[] args) {
    System.exit(commandLine(System::getenv).execute(args));
  }

  /** The agent's command line reading environment variables through {@code env}. */
  static CommandLine commandLine(Function<String, String> env) {
    EdgeAgentMain root = new EdgeAgentMain();
    return CommandLines.configure(new CommandLine(root), env, () -> root.verbose);
  }
}
