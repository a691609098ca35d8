package io.sidetrack.cli.options;

import java.lang.reflect.AnnotatedElement;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The environment variable of an option: the one rule, so help, defaults and errors agree. */
public final class EnvVars {
  /** Prefix of every derived variable. */
  public static final String PREFIX = "SIDETRACK_";

  private EnvVars() {}

  /** The variable of {@code arg}, empty when it is not an option marked {@link EnvVar}. */
  public static Optional<String> of(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option)
        || !(option.userObject() instanceof AnnotatedElement element)) {
      return Optional.empty();
    }
    EnvVar env = element.getAnnotation(EnvVar.class);
    if (env == null) {
      return Optional.empty();
    }
    return Optional.of(env.value().isEmpty() ? derive(option.longestName()) : env.value());
  }

  /** {@code --foo-bar} → {@code SIDETRACK_FOO_BAR}. */
  public static String derive(String optionName) {
    String bare = optionName.replaceFirst("^-+", "");
    return PREFIX + bare.replace('-', '_').toUpperCase(Locale.ROOT);
  }
}
