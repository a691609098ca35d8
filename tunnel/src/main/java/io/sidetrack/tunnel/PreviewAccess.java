package io.sidetrack.tunnel;

import java.util.Locale;

/**
 * Whether an intercept asks the router for a preview URL, and who may open it: part of an {@link
 * InterceptSpec}, written on the wire in lower case.
 */
public enum PreviewAccess {
  /** No preview URL. */
  NONE,
  /** Anyone with the link. */
  PUBLIC,
  /** A visitor signs in once with a token of the router. */
  TOKEN;

  /** The name on the wire and on the command line: {@code none}, {@code public}, {@code token}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Reads a wire name (any case).
   *
   * @throws IllegalArgumentException naming the value and the accepted ones
   */
  public static PreviewAccess parse(String value) {
    for (PreviewAccess a : values()) {
      if (a.wire().equalsIgnoreCase(value)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "'preview' must be none, public or token, got '" + value + "'");
  }
}
