package io.sidetrack.cli.audit;

import io.sidetrack.core.Durations;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/** Instants given on the command line: ISO-8601, or a time ago ({@code 2h}), or {@code now}. */
final class TimeArg {
  private TimeArg() {}

  /**
   * The instant {@code text} names, relative forms counted back from {@code now}.
   *
   * @throws IllegalArgumentException naming {@code flag} and the text when it is neither form
   */
  static Instant parse(String flag, String text, Instant now) {
    String t = text.trim();
    if (t.equals("now")) {
      return now;
    }
    if (t.matches("\\d+(ms|s|m|h|d)")) {
      return now.minus(Durations.parse(t));
    }
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      // try the other forms
    }
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException e) {
      // try the other forms
    }
    try {
      return LocalDateTime.parse(t).atZone(ZoneId.systemDefault()).toInstant();
    } catch (DateTimeParseException e) {
      // try the other forms
    }
    try {
      return LocalDate.parse(t).atStartOfDay(ZoneId.systemDefault()).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "invalid "
              + flag
              + " '"
              + text
              + "': use ISO-8601 (2026-11-25T10:00:00Z, 2026-11-25T11:00) or a time ago (30m, 2h, 7d)");
    }
  }

  /** Like {@link #parse} but refuses instants after {@code now}. */
  static Instant parsePast(String flag, String text, Instant now) {
    Instant at = parse(flag, text, now);
    if (at.isAfter(now)) {
      throw new IllegalArgumentException(
          "invalid " + flag + " '" + text + "': " + at + " is in the future");
    }
    return at;
  }
}
