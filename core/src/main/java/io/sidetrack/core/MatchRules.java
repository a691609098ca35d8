package io.sidetrack.core;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What requests an intercept takes. All conditions are ANDed, each any-of group counting as one
 * condition that holds when one of its alternatives does; a global intercept takes what no personal
 * intercept of the workload took.
 *
 * @param headers header conditions
 * @param baggage W3C baggage conditions
 * @param pathPrefix path prefix the request path must start with, or {@code null}
 * @param method HTTP method the request must use, or {@code null}
 * @param global whether this is the workload's global intercept
 * @param anyOf any-of groups, each of which must hold
 */
public record MatchRules(
    List<HeaderMatch> headers,
    List<BaggageMatch> baggage,
    String pathPrefix,
    String method,
    boolean global,
    List<AnyOf> anyOf) {

  /** Signature of every global intercept: two global intercepts of one workload conflict. */
  public static final String GLOBAL_SIGNATURE = "global";

  public MatchRules {
    headers = List.copyOf(requireNonNull(headers, "headers"));
    baggage = List.copyOf(requireNonNull(baggage, "baggage"));
    anyOf = List.copyOf(requireNonNull(anyOf, "anyOf"));
    method = method == null ? null : method.toUpperCase(Locale.ROOT);
  }

  /** Rules with no any-of group. */
  public MatchRules(
      List<HeaderMatch> headers,
      List<BaggageMatch> baggage,
      String pathPrefix,
      String method,
      boolean global) {
    this(headers, baggage, pathPrefix, method, global, List.of());
  }

  /**
   * The default personal intercept of {@code value}: header {@link SidetrackId#HEADER} or baggage
   * member {@link SidetrackId#BAGGAGE_KEY} equal to it.
   */
  public static MatchRules personal(String value) {
    requireNonNull(value, "value");
    return new MatchRules(
        List.of(),
        List.of(),
        null,
        null,
        false,
        List.of(
            new AnyOf(
                List.of(HeaderMatch.exact(SidetrackId.HEADER, value)),
                List.of(new BaggageMatch(SidetrackId.BAGGAGE_KEY, value)))));
  }

  /**
   * The first exact header condition, required or in an any-of group: what a client adds to a
   * request to be taken by these rules (a preview, a "Try: curl -H" hint).
   */
  public Optional<HeaderMatch> exactHeader() {
    return Stream.concat(headers.stream(), anyOf.stream().flatMap(g -> g.headers().stream()))
        .filter(h -> h.kind() == HeaderMatch.Kind.EXACT)
        .findFirst();
  }

  /** Rules that take requests carrying {@code name: value}. */
  public static MatchRules header(String name, String value) {
    return new MatchRules(List.of(HeaderMatch.exact(name, value)), List.of(), null, null, false);
  }

  /** Rules of a global intercept. */
  public static MatchRules globalRules() {
    return new MatchRules(List.of(), List.of(), null, null, true);
  }

  /**
   * How many conditions these rules have, each alternative of an any-of group counting as one: the
   * most conditions a request is checked against, which {@link Limits#maxConditions} caps.
   */
  public int conditionCount() {
    int alternatives = 0;
    for (AnyOf group : anyOf) {
      alternatives += group.size();
    }
    return headers.size()
        + baggage.size()
        + alternatives
        + (pathPrefix == null ? 0 : 1)
        + (method == null ? 0 : 1);
  }

  /**
   * A canonical digest of these rules: equal for rules that take the same requests whatever the
   * order they were written in, so two intercepts with one signature conflict. The order of any-of
   * groups and of the alternatives in a group does not matter, nor does a condition written twice;
   * a group of one alternative is that condition written plainly, as it takes the same requests.
   * Rules without any-of groups keep the digest they had before groups existed (registry-stream
   * keys its conflict store by it). Equivalences deeper than these (a group made redundant by a
   * required condition, a regex that only one value matches) give different signatures: such
   * intercepts do not conflict, and routing ranks them by precedence and age.
   */
  public String signature() {
    if (global) {
      return GLOBAL_SIGNATURE;
    }
    List<String> parts = new ArrayList<>();
    headers.forEach(h -> parts.add(part(h)));
    baggage.forEach(b -> parts.add(part(b)));
    for (AnyOf group : anyOf) {
      List<String> alternatives = new ArrayList<>();
      group.headers().forEach(h -> alternatives.add(part(h)));
      group.baggage().forEach(b -> alternatives.add(part(b)));
      List<String> canonical = alternatives.stream().sorted().distinct().toList();
      parts.add(
          canonical.size() == 1 ? canonical.get(0) : "g\u0000" + String.join("\u0001", canonical));
    }
    if (pathPrefix != null) {
      parts.add("p\u0000" + pathPrefix);
    }
    if (method != null) {
      parts.add("m\u0000" + method);
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : parts.stream().sorted().distinct().toList()) {
        sha.update(part.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static String part(HeaderMatch h) {
    return "h\u0000" + h.name() + "\u0000" + h.kind() + "\u0000" + h.value();
  }

  private static String part(BaggageMatch b) {
    return "b\u0000" + b.key() + "\u0000" + b.value();
  }
}
