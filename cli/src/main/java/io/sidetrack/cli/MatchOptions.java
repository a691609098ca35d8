package io.sidetrack.cli;

import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The match rules an intercept takes on the command line; all of them must hold. */
public final class MatchOptions {
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
        && pathPrefix == null
        && !global;
  }

  /** The rules, with {@code extra} header conditions added. */
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
    return new MatchRules(headerRules, baggageRules, pathPrefix, method, global);
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
