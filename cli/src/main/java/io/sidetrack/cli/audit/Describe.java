package io.sidetrack.cli.audit;

import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import java.util.ArrayList;
import java.util.List;

/** One-line descriptions of match rules for tables. */
public final class Describe {
  private Describe() {}

  public static String rules(MatchRules m) {
    if (m.global()) {
      return "global";
    }
    List<String> parts = new ArrayList<>();
    for (HeaderMatch h : m.headers()) {
      parts.add(h.name() + (h.kind() == HeaderMatch.Kind.EXACT ? "=" : "~") + h.value());
    }
    m.baggage().forEach(b -> parts.add("baggage:" + b.key() + "=" + b.value()));
    if (m.pathPrefix() != null) {
      parts.add("path:" + m.pathPrefix() + "*");
    }
    if (m.method() != null) {
      parts.add("method:" + m.method());
    }
    return String.join(" ", parts);
  }
}
