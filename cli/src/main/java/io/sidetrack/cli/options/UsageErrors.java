package io.sidetrack.cli.options;

import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/** The one line a bad flag or variable value is reported with. */
public final class UsageErrors {
  private UsageErrors() {}

  /**
   * For a value that does not convert: {@code invalid --ttl (SIDETRACK_TTL): 'x' (expected a
   * duration such as 500ms, 2s or 5m)}, naming both places the value may have come from; otherwise
   * picocli's own message.
   */
  public static String message(ParameterException e) {
    if (e.getArgSpec() instanceof OptionSpec option
        && e.getCause() instanceof TypeConversionException conversion) {
      String env = EnvVars.of(option).map(v -> " (" + v + ")").orElse("");
      return "invalid "
          + option.longestName()
          + env
          + ": '"
          + e.getValue()
          + "' ("
          + conversion.getMessage()
          + ")";
    }
    return e.getMessage();
  }
}
