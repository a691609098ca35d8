package io.sidetrack.cli;

import io.sidetrack.cli.admin.RegisterCommand;
import io.sidetrack.cli.admin.UnregisterCommand;
import io.sidetrack.cli.admin.acl.AclCommand;
import io.sidetrack.cli.audit.AuditCommand;
import io.sidetrack.cli.audit.ExplainCommand;
import io.sidetrack.cli.audit.ReplayCommand;
import io.sidetrack.cli.components.EdgeAgentCommand;
import io.sidetrack.cli.components.KafkaServerCommand;
import io.sidetrack.cli.components.RegistryStreamCommand;
import io.sidetrack.cli.components.RouterCommand;
import io.sidetrack.cli.components.SchemaRegistryCommand;
import io.sidetrack.cli.dev.AgentsCommand;
import io.sidetrack.cli.dev.InterceptCommand;
import io.sidetrack.cli.dev.LeaveCommand;
import io.sidetrack.cli.dev.ListCommand;
import io.sidetrack.cli.login.LoginCommand;
import io.sidetrack.cli.up.DemoAppCommand;
import io.sidetrack.cli.up.UpCommand;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code sidetrack} command. */
@Command(
    name = "sidetrack",
    mixinStandardHelpOptions = true,
    versionProvider = Sidetrack.Version.class,
    description = {
      "Personal intercepts for a shared integration environment, on Apache Kafka.",
      "",
      "Requests to a workload that carry your header value are served by the process on your"
          + " laptop; all other traffic keeps going to the workload's own pods."
    },
    subcommands = {
      UpCommand.class,
      LoginCommand.class,
      InterceptCommand.class,
      ListCommand.class,
      LeaveCommand.class,
      AgentsCommand.class,
      RegisterCommand.class,
      UnregisterCommand.class,
      AclCommand.class,
      AuditCommand.class,
      ReplayCommand.class,
      ExplainCommand.class,
      RegistryStreamCommand.class,
      EdgeAgentCommand.class,
      RouterCommand.class,
      io.sidetrack.cli.inject.InjectCommand.class,
      io.sidetrack.cli.inject.InjectorCommand.class,
      io.sidetrack.cli.keys.KeysCommand.class,
      KafkaServerCommand.class,
      SchemaRegistryCommand.class,
      DemoAppCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Environment: SIDETRACK_HOME (default ~/.sidetrack) holds context.json, written by"
          + " 'sidetrack up', so other commands need no flags."
    })
public final class Sidetrack {
  /** Exit code of a command that failed at run time. */
  public static final int EXIT_FAILURE = 1;

  /** Exit code of a command given bad flags or arguments. */
  public static final int EXIT_USAGE = 2;

  @Option(
      names = {"-v", "--verbose"},
      scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces of errors.")
  boolean verbose;

  public static void main(String[] args) {
    if (args.length > 0
        && (args[0].equals(RegistryStreamCommand.NAME)
            || args[0].equals(EdgeAgentCommand.NAME)
            || args[0].equals(RouterCommand.NAME)
            || args[0].equals(io.sidetrack.cli.inject.InjectorCommand.NAME)
            || args[0].equals(KafkaServerCommand.NAME)
            || args[0].equals(SchemaRegistryCommand.NAME)
            || args[0].equals(DemoAppCommand.NAME))) {
      // A service logs its progress; the interactive commands keep the terminal for themselves.
      System.setProperty("sidetrack.stderr.level", "INFO");
    }
    if (args.length > 0 && args[0].equals("intercept")) {
      InterceptCommand.startEarly();
    }
    System.exit(commandLine().execute(args));
  }

  /** The command line with Sidetrack's error handling, for main and for tests. */
  public static CommandLine commandLine() {
    return commandLine(System::getenv);
  }

  /**
   * The command line reading environment variables through {@code env}, for tests. Sets the
   * conventions of every subcommand once: variables as defaults, converters, help listing them.
   */
  public static CommandLine commandLine(Function<String, String> env) {
    Sidetrack root = new Sidetrack();
    return CommandLines.configure(new CommandLine(root), env, () -> root.verbose);
  }

  /** The version the build wrote into {@code version.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"sidetrack " + version()};
    }

    /**
     * This build's version, or "(development build)" when run from classes the build did not
     * filter.
     */
    static String version() {
      Properties properties = new Properties();
      try (InputStream in = Sidetrack.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      } catch (IOException e) {
        // no version to show is not an error of the command
      }
      String v = properties.getProperty("version", "");
      return v.isBlank() || v.startsWith("${") ? "(development build)" : v;
    }
  }
}
