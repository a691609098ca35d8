package io.sidetrack.injector.internal;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Container port names are IANA service names (Kubernetes' IANA_SVC_NAME): at most 15 lower-case
 * letters, digits and single hyphens, at least one letter, no hyphen at either end.
 */
public final class PortNames {
  /** The longest port name. */
  public static final int MAX_LENGTH = 15;

  private static final Pattern VALID = Pattern.compile("[a-z0-9]([a-z0-9]|-(?!-))*");
  private static final Pattern LETTER = Pattern.compile(".*[a-z].*");

  private PortNames() {}

  /** Whether {@code name} is a valid port name. */
  public static boolean isValid(String name) {
    return name != null
        && name.length() <= MAX_LENGTH
        && VALID.matcher(name).matches()
        && !name.endsWith("-")
        && LETTER.matcher(name).matches();
  }

  /**
   * The name the app's port {@code original} takes when the agent takes {@code original}: {@code
   * app-<original>} cut to 15 characters, or, when another port of the pod has that name, the same
   * with a digit at its end; {@code null} when every candidate is taken.
   */
  public static String forApp(String original, Set<String> taken) {
    String base = trim(cut("app-" + original, MAX_LENGTH));
    if (!taken.contains(base) && isValid(base)) {
      return base;
    }
    for (int i = 2; i <= 9; i++) {
      String candidate = trim(cut("app-" + original, MAX_LENGTH - 2)) + "-" + i;
      if (!taken.contains(candidate) && isValid(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  private static String trim(String s) {
    String t = s;
    while (t.endsWith("-")) {
      t = t.substring(0, t.length() - 1);
    }
    return t;
  }
}
