package io.sidetrack.core.routing;

import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;

/** How specific a route is; the most specific matching route takes a request. */
public enum Precedence {
  /** At least one exact header value. */
  EXACT_HEADER,
  /** A header regex and no exact header value. */
  HEADER_REGEX,
  /** No header rule: path prefix, baggage or method only. */
  PATH_ONLY,
  /** The workload's global intercept: what no personal intercept took. */
  GLOBAL;

  /** The precedence of {@code rules}. */
  public static Precedence of(MatchRules rules) {
    if (rules.global()) {
      return GLOBAL;
    }
    if (rules.headers().stream().anyMatch(h -> h.kind() == HeaderMatch.Kind.EXACT)) {
      return EXACT_HEADER;
    }
    if (!rules.headers().isEmpty()) {
      return HEADER_REGEX;
    }
    return PATH_ONLY;
  }
}
