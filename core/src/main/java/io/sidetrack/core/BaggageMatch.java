package io.sidetrack.core;

import static java.util.Objects.requireNonNull;

/**
 * A W3C {@code baggage} member the request must carry with exactly this value.
 *
 * @param key the baggage member's key
 * @param value its value
 */
public record BaggageMatch(String key, String value) {
  public BaggageMatch {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
  }
}
