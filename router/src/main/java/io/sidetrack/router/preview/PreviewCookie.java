package io.sidetrack.router.preview;

import java.util.ArrayList;
import java.util.List;

/**
 * The preview's sign-in cookie: how it is set (HttpOnly, SameSite=Lax, host-only, {@code Secure}
 * with TLS), found among a request's cookies, and taken out of them, since it must never reach the
 * app.
 */
final class PreviewCookie {
  static final String NAME = "sidetrack-preview";

  private PreviewCookie() {}

  /**
   * The {@code Set-Cookie} value for a session: no {@code Domain} (the cookie stays on this preview
   * host) and no expiry (the session dies with the intercept, and the browser's session anyway).
   */
  static String set(String value, boolean secure) {
    return NAME + "=" + value + "; Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
  }

  /** Every value of the cookie in a request's {@code Cookie} fields. */
  static List<String> values(List<String> cookieFields) {
    List<String> values = new ArrayList<>();
    for (String field : cookieFields) {
      for (String pair : field.split(";")) {
        String p = pair.trim();
        if (p.startsWith(NAME + "=")) {
          values.add(p.substring(NAME.length() + 1));
        }
      }
    }
    return values;
  }

  /**
   * The request's cookies without this one, as one {@code Cookie} field (RFC 6265 section 5.4), or
   * null when none is left.
   */
  static String without(List<String> cookieFields) {
    List<String> kept = new ArrayList<>();
    for (String field : cookieFields) {
      for (String pair : field.split(";")) {
        String p = pair.trim();
        if (!p.isEmpty() && !p.startsWith(NAME + "=")) {
          kept.add(p);
        }
      }
    }
    return kept.isEmpty() ? null : String.join("; ", kept);
  }
}
