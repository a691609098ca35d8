package io.sidetrack.cli.options;

import static java.util.Objects.requireNonNull;

import java.util.function.Function;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;

/**
 * Gives an option marked {@link EnvVar} the value of its environment variable when it is set;
 * otherwise picocli falls back to the option's declared {@code defaultValue}. A flag on the command
 * line beats both.
 */
public final class EnvDefaultProvider implements IDefaultValueProvider {
  private final Function<String, String> env;

  /**
   * @param env looks a variable up, {@code System::getenv} outside tests
   */
  public EnvDefaultProvider(Function<String, String> env) {
    this.env = requireNonNull(env, "env");
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    return EnvVars.of(arg).map(env).orElse(null);
  }
}
