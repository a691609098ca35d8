package io.sidetrack.cli.options;

import io.sidetrack.core.Durations;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The converters of Sidetrack's value types, registered once on the root command. Their messages
 * say what was expected; {@link UsageErrors} adds the flag, its variable and the value.
 */
public final class Converters {
  private Converters() {}

  /** Registers every converter on {@code cli} and its subcommands. */
  public static void register(CommandLine cli) {
    cli.registerConverter(Duration.class, Converters.duration());
    cli.registerConverter(HostPort.class, Converters.hostPort());
  }

  /** What {@link Durations#parse} accepts: {@code 500ms}, {@code 2s}, {@code 5m}, ... */
  public static ITypeConverter<Duration> duration() {
    return value -> {
      try {
        return Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("expected a duration such as 500ms, 2s or 5m");
      }
    };
  }

  /** {@code HOST:PORT}, or {@code :PORT} for all interfaces. */
  public static ITypeConverter<HostPort> hostPort() {
    return value -> {
      try {
        return HostPort.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    };
  }
}
