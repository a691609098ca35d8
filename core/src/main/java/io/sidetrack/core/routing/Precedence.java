package io.sidetrack.core.routing;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import java.util.List;

/**
 * How specific a route is; the most specific matching route takes a request.
 *
 * <p>An any-of group counts by its alternatives: a group of exact values (exact headers, baggage
 * members) with at least one exact header makes a route as specific as a required exact header, so
 * the default personal intercept ({@code x-sidetrack-id: V} or baggage {@code sidetrack-id=V}) is
 * in the class of a plain {@code x-sidetrack-id} intercept. A group of baggage members only is as
 * specific as a plain baggage rule (path only): a group of one alternative ranks as that condition
 * written plainly, as its signature does.
 */
public enum Precedence {
  /** An exact header value: required, or in an {@linkplain #isExact exact} any-of group. */
  EXACT_HEADER,
  /** A header rule, required or among a group's alternatives, and nothing exact as above. */
  HEADER_REGEX,
  /** No header rule: path prefix, baggage or method only. */
  PATH_ONLY,
  /** The workload's global intercept: what no personal intercept took. */
  GLOBAL;

  /** The precedence of {@code rules}. */
  public static Precedence of(MatchRules rules) {
    // loops, not streams: a new agent ranks every route it reads while its code is still cold
    if (rules.global()) {
      return GLOBAL;
    }
    if (hasExact(rules.headers())) {
      return EXACT_HEADER;
    }
    boolean groupHeaders = false;
    for (AnyOf group : rules.anyOf()) {
      if (isExact(group)) {
        return EXACT_HEADER;
      }
      groupHeaders |= !group.headers().isEmpty();
    }
    return !rules.headers().isEmpty() || groupHeaders ? HEADER_REGEX : PATH_ONLY;
  }

  /**
   * Whether {@code group} makes a route {@link #EXACT_HEADER}: it has an exact header alternative
   * and every alternative is an exact value. Such a route is found by hash lookup from any of them.
   */
  public static boolean isExact(AnyOf group) {
    List<HeaderMatch> headers = group.headers();
    if (headers.isEmpty()) {
      return false;
    }
    for (int i = 0; i < headers.size(); i++) {
      if (headers.get(i).kind() != HeaderMatch.Kind.EXACT) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasExact(List<HeaderMatch> headers) {
    for (int i = 0; i < headers.size(); i++) {
      if (headers.get(i).kind() == HeaderMatch.Kind.EXACT) {
        return true;
      }
    }
    return false;
  }
}
