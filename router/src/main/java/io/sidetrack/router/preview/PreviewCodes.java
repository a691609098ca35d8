package io.sidetrack.router.preview;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * The secrets of previews, all from {@link SecureRandom}: the code that names a preview host (26
 * characters of lower-case base32, 130 bits, a DNS label) and the values of sign-in cookies (256
 * bits, base64url).
 */
public final class PreviewCodes {
  /** RFC 4648's base32 alphabet in lower case: every character is allowed in a DNS label. */
  static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

  /** Characters of a code: 26 × 5 = 130 bits. */
  public static final int LENGTH = 26;

  private final SecureRandom random;

  public PreviewCodes(SecureRandom random) {
    this.random = requireNonNull(random, "random");
  }

  public PreviewCodes() {
    this(new SecureRandom());
  }

  /** A new code. */
  public String newCode() {
    char[] code = new char[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      code[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
    }
    return new String(code);
  }

  /** A new sign-in cookie value. */
  public String newSessionValue() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Whether {@code label} has the shape of a code (not whether one was issued). */
  public static boolean isCode(String label) {
    if (label == null || label.length() != LENGTH) {
      return false;
    }
    for (int i = 0; i < LENGTH; i++) {
      if (ALPHABET.indexOf(label.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }
}
