package io.sidetrack.core;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * An any-of group of match rules: it holds when at least one of its alternatives does. The groups
 * of an intercept are ANDed with each other and with its other conditions. The default personal
 * intercept is one group: header {@code x-sidetrack-id: V} or baggage {@code sidetrack-id=V}.
 *
 * @param headers header alternatives
 * @param baggage baggage alternatives
 */
public record AnyOf(List<HeaderMatch> headers, List<BaggageMatch> baggage) {
  public AnyOf {
    headers = List.copyOf(requireNonNull(headers, "headers"));
    baggage = List.copyOf(requireNonNull(baggage, "baggage"));
  }

  /** How many alternatives the group has. */
  public int size() {
    return headers.size() + baggage.size();
  }
}
