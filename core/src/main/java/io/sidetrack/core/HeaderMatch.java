package io.sidetrack.core;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * One header condition of an intercept: the named header must carry {@code value} exactly, or a
 * value the RE2 regex {@code value} matches as a whole.
 *
 * @param name header name, stored lower-case (header names are case-insensitive)
 * @param kind exact value or regex
 * @param value the value or the regex
 */
public record HeaderMatch(String name, Kind kind, String value) {

  /** How a header value is compared. */
  public enum Kind {
    EXACT,
    REGEX
  }

  public HeaderMatch {
    name = requireNonNull(name, "name").toLowerCase(Locale.ROOT);
    requireNonNull(kind, "kind");
    requireNonNull(value, "value");
  }

  public static HeaderMatch exact(String name, String value) {
    return new HeaderMatch(name, Kind.EXACT, value);
  }

  public static HeaderMatch regex(String name, String regex) {
    return new HeaderMatch(name, Kind.REGEX, regex);
  }
}
