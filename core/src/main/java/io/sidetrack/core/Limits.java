package io.sidetrack.core;

import java.time.Duration;

/**
 * Bounds a registration must respect.
 *
 * @param maxConditions most match conditions one intercept may have, each alternative of an any-of
 *     group counting as one: this bounds the groups and their alternatives too, and so the checks a
 *     request costs and the index keys a route takes
 * @param maxValueLength longest header value, regex, path prefix or baggage value
 * @param maxTtl longest lease, counted from the time the registration is decided
 */
public record Limits(int maxConditions, int maxValueLength, Duration maxTtl) {
  public static final int DEFAULT_MAX_CONDITIONS = 16;
  public static final int DEFAULT_MAX_VALUE_LENGTH = 256;
  public static final Duration DEFAULT_MAX_TTL = Duration.ofHours(1);

  public static final Limits DEFAULTS =
      new Limits(DEFAULT_MAX_CONDITIONS, DEFAULT_MAX_VALUE_LENGTH, DEFAULT_MAX_TTL);

  public Limits {
    if (maxConditions < 1) {
      throw new IllegalArgumentException("maxConditions must be at least 1, got " + maxConditions);
    }
    if (maxValueLength < 1) {
      throw new IllegalArgumentException(
          "maxValueLength must be at least 1, got " + maxValueLength);
    }
    if (maxTtl.isNegative() || maxTtl.isZero()) {
      throw new IllegalArgumentException("maxTtl must be positive, got " + maxTtl);
    }
  }
}
