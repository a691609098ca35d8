package io.sidetrack.core.routing;

import com.google.re2j.Pattern;
import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * What a route takes, compiled: its regexes compiled once, its conditions checked against a
 * request, and the descriptions of its matches cached (one per combination of the any-of
 * alternatives that matched). {@link #BROKEN} stands for a deferred route that did not decode, and
 * matches nothing. Made once per route ({@link CompiledRoute}), read by any thread.
 */
final class RouteConditions {
  /** The order required headers are checked in, exact ones first: the first is an index key. */
  static final Comparator<HeaderMatch> HEADER_ORDER =
      Comparator.comparing((HeaderMatch h) -> h.kind())
          .thenComparing(HeaderMatch::name)
          .thenComparing(HeaderMatch::value);

  private static final Group[] NO_GROUPS = new Group[0];
  private static final Header[] NO_HEADERS = new Header[0];
  private static final BaggageMatch[] NO_BAGGAGE = new BaggageMatch[0];

  /** Descriptions are cached for routes with at most this many combinations of alternatives. */
  private static final int MAX_CACHED_DESCRIPTIONS = 64;

  static final RouteConditions BROKEN = new RouteConditions();

  final Route route;

  /** Required headers, exact ones first: the first is the index key when it is exact. */
  private final Header[] headers;

  private final BaggageMatch[] baggage;
  private final String pathPrefix;
  private final String method;
  private final Group[] groups;

  /** The group whose alternatives index this exact route, or -1 when its first header does. */
  final int indexGroup;

  /** How many combinations of alternatives a match may have; 0 when too many to cache. */
  private final int combinations;

  private String[] descriptions;

  /** Matches nothing. */
  private RouteConditions() {
    this.route = null;
    this.headers = NO_HEADERS;
    this.baggage = NO_BAGGAGE;
    this.pathPrefix = null;
    this.method = null;
    this.groups = NO_GROUPS;
    this.indexGroup = -1;
    this.combinations = 1;
  }

  RouteConditions(Route route, Precedence precedence) {
    this.route = route;
    MatchRules m = route.match();
    // loops, not streams: a new agent compiles every route it reads while its code is still cold
    this.headers = headers(m.headers(), true);
    this.baggage = m.baggage().isEmpty() ? NO_BAGGAGE : m.baggage().toArray(NO_BAGGAGE);
    this.pathPrefix = m.pathPrefix();
    this.method = m.method();
    List<AnyOf> anyOf = m.anyOf();
    if (anyOf.isEmpty()) {
      this.groups = NO_GROUPS;
    } else {
      this.groups = new Group[anyOf.size()];
      for (int g = 0; g < groups.length; g++) {
        groups[g] = new Group(anyOf.get(g));
      }
    }
    int index = -1;
    if (precedence == Precedence.EXACT_HEADER && (headers.length == 0 || !headers[0].exact())) {
      for (int g = 0; g < groups.length && index < 0; g++) {
        if (Precedence.isExact(m.anyOf().get(g))) {
          index = g;
        }
      }
    }
    this.indexGroup = index;
    long product = 1;
    for (Group g : groups) {
      product = Math.min(product * Math.max(1, g.size()), MAX_CACHED_DESCRIPTIONS + 1);
    }
    this.combinations = product > MAX_CACHED_DESCRIPTIONS ? 0 : (int) product;
  }

  boolean matches(
      RequestView request, RequestBaggage requestBaggage, int firstHeader, int skippedGroup) {
    if (route == null) {
      return false;
    }
    if (method != null && !method.equals(request.method())) {
      return false;
    }
    if (pathPrefix != null && !request.path().startsWith(pathPrefix)) {
      return false;
    }
    for (int i = firstHeader; i < headers.length; i++) {
      if (!headers[i].matches(request)) {
        return false;
      }
    }
    for (BaggageMatch b : baggage) {
      if (!requestBaggage.has(b.key(), b.value())) {
        return false;
      }
    }
    for (int g = 0; g < groups.length; g++) {
      if (g != skippedGroup && groups[g].firstHolding(request, requestBaggage) < 0) {
        return false;
      }
    }
    return true;
  }

  String description(Precedence precedence, RequestView request, RequestBaggage requestBaggage) {
    int[] chosen = null;
    int code = 0;
    int stride = 1;
    for (int g = 0; g < groups.length; g++) {
      int alternative = Math.max(0, groups[g].firstHolding(request, requestBaggage));
      if (combinations == 0) {
        if (chosen == null) {
          chosen = new int[groups.length];
        }
        chosen[g] = alternative;
      }
      code += alternative * stride;
      stride *= Math.max(1, groups[g].size());
    }
    if (combinations == 0) {
      return describe(precedence, chosen);
    }
    String[] cache = descriptions;
    if (cache == null) {
      cache = new String[combinations];
      descriptions = cache;
    }
    String d = cache[code];
    if (d == null) {
      d = describe(precedence, decode(code));
      cache[code] = d;
    }
    return d;
  }

  private int[] decode(int code) {
    int[] chosen = new int[groups.length];
    for (int g = 0; g < groups.length; g++) {
      int size = Math.max(1, groups[g].size());
      chosen[g] = code % size;
      code /= size;
    }
    return chosen;
  }

  private String describe(Precedence precedence, int[] chosen) {
    if (precedence == Precedence.GLOBAL) {
      return "global intercept";
    }
    List<String> parts = new ArrayList<>();
    for (Header h : headers) {
      parts.add(describe(h.rule));
    }
    for (BaggageMatch b : baggage) {
      parts.add(describe(b));
    }
    for (int g = 0; g < groups.length; g++) {
      if (groups[g].size() > 0) {
        parts.add(groups[g].describe(chosen[g]));
      }
    }
    if (pathPrefix != null) {
      parts.add("path prefix " + pathPrefix);
    }
    if (method != null) {
      parts.add("method " + method);
    }
    return String.join(" and ", parts);
  }

  /** Compiles header rules, sorted exact first when {@code sort} (a required header's order). */
  private static Header[] headers(List<HeaderMatch> rules, boolean sort) {
    if (rules.isEmpty()) {
      return NO_HEADERS;
    }
    HeaderMatch[] ordered = rules.toArray(new HeaderMatch[0]);
    if (sort && ordered.length > 1) {
      Arrays.sort(ordered, HEADER_ORDER);
    }
    Header[] out = new Header[ordered.length];
    for (int i = 0; i < ordered.length; i++) {
      out[i] = new Header(ordered[i]);
    }
    return out;
  }

  static String describe(HeaderMatch h) {
    return h.kind() == HeaderMatch.Kind.EXACT
        ? "header " + h.name() + " = " + h.value()
        : "header " + h.name() + " ~ /" + h.value() + "/";
  }

  static String describe(BaggageMatch b) {
    return "baggage " + b.key() + " = " + b.value();
  }

  /** A header condition with its regex compiled. */
  private static final class Header {
    final HeaderMatch rule;
    private final Pattern pattern;

    Header(HeaderMatch rule) {
      this.rule = rule;
      this.pattern = rule.kind() == HeaderMatch.Kind.REGEX ? Pattern.compile(rule.value()) : null;
    }

    boolean exact() {
      return pattern == null;
    }

    /** Whether any value of the header matches: a header may appear several times. */
    boolean matches(RequestView request) {
      List<String> values = request.headerValues(rule.name());
      for (int v = 0; v < values.size(); v++) {
        String value = values.get(v);
        if (pattern == null ? rule.value().equals(value) : pattern.matches(value)) {
          return true;
        }
      }
      return false;
    }
  }

  /** An any-of group: its header alternatives, then its baggage ones. */
  private static final class Group {
    private final Header[] headers;
    private final BaggageMatch[] baggage;

    Group(AnyOf group) {
      this.headers = headers(group.headers(), false);
      this.baggage = group.baggage().isEmpty() ? NO_BAGGAGE : group.baggage().toArray(NO_BAGGAGE);
    }

    int size() {
      return headers.length + baggage.length;
    }

    /** The first alternative that holds (headers numbered first), or -1 when none does. */
    int firstHolding(RequestView request, RequestBaggage requestBaggage) {
      for (int i = 0; i < headers.length; i++) {
        if (headers[i].matches(request)) {
          return i;
        }
      }
      for (int i = 0; i < baggage.length; i++) {
        if (requestBaggage.has(baggage[i].key(), baggage[i].value())) {
          return headers.length + i;
        }
      }
      return -1;
    }

    String describe(int alternative) {
      return alternative < headers.length
          ? RouteConditions.describe(headers[alternative].rule)
          : RouteConditions.describe(baggage[alternative - headers.length]);
    }
  }
}
