package io.sidetrack.cli.options;

import java.util.Optional;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Help.IOptionRenderer;
import picocli.CommandLine.IHelpFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Help that ends each {@link EnvVar} option's description with {@code (env X; default Y)}, so the
 * descriptions need not repeat the variable and the default by hand, and cannot get them wrong.
 */
public final class EnvHelp implements IHelpFactory {
  @Override
  public Help create(CommandSpec spec, ColorScheme colors) {
    return new Help(spec, colors) {
      @Override
      public IOptionRenderer createDefaultOptionRenderer() {
        IOptionRenderer base = super.createDefaultOptionRenderer();
        return (option, labels, scheme) -> withEnv(option, base.render(option, labels, scheme));
      }
    };
  }

  private static Text[][] withEnv(OptionSpec option, Text[][] rows) {
    Optional<String> env = EnvVars.of(option);
    if (env.isEmpty() || rows.length == 0) {
      return rows;
    }
    Text[] last = rows[rows.length - 1];
    int description = last.length - 1;
    last[description] = last[description].concat(" " + note(env.get(), option.defaultValue()));
    return rows;
  }

  /** {@code (env X; default Y)}, or {@code (env X)} when the option has no default. */
  static String note(String env, String defaultValue) {
    return defaultValue == null || defaultValue.isEmpty()
        ? "(env " + env + ")"
        : "(env " + env + "; default " + defaultValue + ")";
  }
}
