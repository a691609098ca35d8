package io.sidetrack.cli;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The match rules an intercept takes on the command line; all of them must hold. */
public final class MatchOptions {
  private static final String ALTERNATIVES =
      "header:NAME=VALUE, header-regex:NAME=RE2 or baggage:KEY=VALUE";

  @Option(
      names = "--header",
      paramLabel = "NAME=VALUE",
      description = "Take requests whose header NAME equals VALUE (repeatable).")
  List<String> headers = new ArrayList<>();

  @Option(
      names = "--header-regex",
      paramLabel = "NAME=RE2",
      description = "Take requests whose header NAME matches the RE2 regex, whole (repeatable).")
  List<String> headerRegexes = new ArrayList<>();

  @Option(
      names = "--baggage",
      paramLabel = "KEY=VALUE",
      description = "Take requests whose W3C baggage has KEY=VALUE (repeatable).")
  List<String> baggage = new ArrayList<>();

  @Option(
      names = "--any-of",
      paramLabel = "ALT|ALT...",
      description =
          "Take requests that meet at least one of these alternatives, separated by '|', each"
              + " header:NAME=VALUE, header-regex:NAME=RE2 or baggage:KEY=VALUE; e.g."
              + " 'header:x-sidetrack-id=me|baggage:sidetrack-id=me' (quote it for the shell)."
              + " Repeatable: every group must hold, as must the other rules. A value cannot"
              + " contain '|': write a regex 'a|b' as two alternatives.")
  List<String> anyOf = new ArrayList<>();

  @Option(names = "--path-prefix", description = "Take requests whose path starts with this.")
  String pathPrefix;

  @Option(names = "--method", description = "Take requests with this HTTP method only.")
  String method;

  @Option(
      names = "--global",
      description = "Take every request of the workload that no personal intercept takes.")
  boolean global;

  /** Whether no rule says which requests (a method alone narrows, it does not select). */
  public boolean selectsNothing() {
    return headers.isEmpty()
        && headerRegexes.isEmpty()
        && baggage.isEmpty()
        && anyOf.isEmpty()
        && pathPrefix == null
        && !global;
  }

  /**
   * The rules given or, when none {@linkplain #selectsNothing selects} requests, the default
   * personal intercept of {@code owner} ({@link MatchRules#personal}), narrowed by {@code --method}
   * if given.
   *
   * @throws IllegalArgumentException naming the flag of a malformed rule
   */
  public MatchRules rulesOrPersonal(String owner) {
    MatchRules given = rules(List.of());
    if (!selectsNothing()) {
      return given;
    }
    return new MatchRules(
        List.of(), List.of(), null, given.method(), false, MatchRules.personal(owner).anyOf());
  }

  /**
   * The rules, with {@code extra} header conditions added.
   *
   * @throws IllegalArgumentException naming the flag of a malformed rule
   */
  public MatchRules rules(List<HeaderMatch> extra) {
    List<HeaderMatch> headerRules = new ArrayList<>();
    for (String h : headers) {
      String[] kv = pair("--header", h);
      headerRules.add(HeaderMatch.exact(kv[0].toLowerCase(Locale.ROOT), kv[1]));
    }
    for (String h : headerRegexes) {
      String[] kv = pair("--header-regex", h);
      headerRules.add(HeaderMatch.regex(kv[0].toLowerCase(Locale.ROOT), kv[1]));
    }
    headerRules.addAll(extra);
    List<BaggageMatch> baggageRules = new ArrayList<>();
    for (String b : baggage) {
      String[] kv = pair("--baggage", b);
      baggageRules.add(new BaggageMatch(kv[0], kv[1]));
    }
    List<AnyOf> groups = new ArrayList<>();
    for (String g : anyOf) {
      groups.add(group(g));
    }
    return new MatchRules(headerRules, baggageRules, pathPrefix, method, global, groups);
  }

  /**
   * One {@code --any-of} group: {@code header:NAME=VALUE|header-regex:NAME=RE2|baggage:KEY=VALUE}.
   *
   * @throws IllegalArgumentException naming the flag, the group and what is wrong with it
   */
  static AnyOf group(String value) {
    String flag = "--any-of '" + value + "'";
    List<HeaderMatch> headerAlternatives = new ArrayList<>();
    List<BaggageMatch> baggageAlternatives = new ArrayList<>();
    for (String written : value.split("\\|", -1)) {
      // spaces around '|' are for reading
      String alternative = written.strip();
      if (alternative.isEmpty()) {
        throw new IllegalArgumentException(
            "invalid " + flag + ": an empty alternative (expected " + ALTERNATIVES + ")");
      }
      int colon = alternative.indexOf(':');
      String kind = colon < 0 ? "" : alternative.substring(0, colon);
      String rule = colon < 0 ? "" : alternative.substring(colon + 1);
      switch (kind.toLowerCase(Locale.ROOT)) {
        case "header" -> {
          String[] kv = pair(flag + ": alternative", rule);
          headerAlternatives.add(HeaderMatch.exact(kv[0].toLowerCase(Locale.ROOT), kv[1]));
        }
        case "header-regex" -> {
          String[] kv = pair(flag + ": alternative", rule);
          headerAlternatives.add(HeaderMatch.regex(kv[0].toLowerCase(Locale.ROOT), kv[1]));
        }
        case "baggage" -> {
          String[] kv = pair(flag + ": alternative", rule);
          baggageAlternatives.add(new BaggageMatch(kv[0], kv[1]));
        }
        default ->
            throw new IllegalArgumentException(
                "invalid "
                    + flag
                    + ": '"
                    + alternative
                    + "' is not an alternative (expected "
                    + ALTERNATIVES
                    + ")");
      }
    }
    return new AnyOf(headerAlternatives, baggageAlternatives);
  }

  /**
   * A baggage member a request may carry instead of {@code header} to meet {@code rules}: one in
   * the any-of group that offers {@code header}, if there is one.
   */
  public static Optional<BaggageMatch> baggageInstead(MatchRules rules, HeaderMatch header) {
    if (rules.headers().contains(header)) {
      return Optional.empty();
    }
    return rules.anyOf().stream()
        .filter(g -> g.headers().contains(header))
        .flatMap(g -> g.baggage().stream())
        .findFirst();
  }

  /**
   * {@code key=value} as a member of a W3C {@code baggage} header, the value percent-encoded where
   * the format requires it.
   */
  public static String baggageMember(BaggageMatch member) {
    StringBuilder out = new StringBuilder(member.key()).append('=');
    for (byte b : member.value().getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean plain =
          c == 0x21
              || (c >= 0x23 && c <= 0x2b && c != 0x25)
              || (c >= 0x2d && c <= 0x3a)
              || (c >= 0x3c && c <= 0x5b)
              || (c >= 0x5d && c <= 0x7e);
      if (plain) {
        out.append((char) c);
      } else {
        out.append('%').append(String.format("%02X", c));
      }
    }
    return out.toString();
  }

  /**
   * Splits {@code NAME=VALUE}.
   *
   * @throws IllegalArgumentException naming the flag when there is no {@code =} or no name
   */
  public static String[] pair(String flag, String value) {
    int eq = value.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException(
          "invalid " + flag + " '" + value + "': expected NAME=VALUE");
    }
    return new String[] {value.substring(0, eq), value.substring(eq + 1)};
  }
}
