package io.sidetrack.cli.audit;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import java.util.ArrayList;
import java.util.List;

/**
 * One-line descriptions of match rules for tables: {@code x-user=alice x-team~pay.*
 * baggage:tenant=t1 path:/api* method:GET}, an any-of group as its alternatives joined by {@code |}
 * ({@code x-sidetrack-id=alice|baggage:sidetrack-id=alice}).
 */
public final class Describe {
  private Describe() {}

  public static String rules(MatchRules m) {
    if (m.global()) {
      return "global";
    }
    List<String> parts = new ArrayList<>();
    m.headers().forEach(h -> parts.add(header(h)));
    m.baggage().forEach(b -> parts.add(baggage(b)));
    for (AnyOf group : m.anyOf()) {
      List<String> alternatives = new ArrayList<>();
      group.headers().forEach(h -> alternatives.add(header(h)));
      group.baggage().forEach(b -> alternatives.add(baggage(b)));
      parts.add(alternatives.isEmpty() ? "(no alternative)" : String.join("|", alternatives));
    }
    if (m.pathPrefix() != null) {
      parts.add("path:" + m.pathPrefix() + "*");
    }
    if (m.method() != null) {
      parts.add("method:" + m.method());
    }
    return String.join(" ", parts);
  }

  private static String header(HeaderMatch h) {
    return h.name() + (h.kind() == HeaderMatch.Kind.EXACT ? "=" : "~") + h.value();
  }

  private static String baggage(BaggageMatch b) {
    return "baggage:" + b.key() + "=" + b.value();
  }
}
