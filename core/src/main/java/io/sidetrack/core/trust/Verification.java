package io.sidetrack.core.trust;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * Whether a route or registration was signed by a trusted router, and if not, why.
 *
 * @param refusal why it is not trusted, or {@code null} when it is
 * @param detail what the refusal is about (the unknown key id), or empty
 */
public record Verification(Refusal refusal, String detail) {
  /** Why a signature is not trusted. */
  public enum Refusal {
    /** No signature at all. */
    UNSIGNED,
    /** Signed with a key that is not among the trusted ones. */
    UNKNOWN_KEY,
    /** Signed under a trusted key's id, but the signature does not match what the route says. */
    BAD_SIGNATURE;

    /** The refusal as a metric tag value: {@code unsigned}, {@code unknown_key}, ... */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The prefix of every {@link #reason()}. */
  public static final String REASON_PREFIX = "not signed by a trusted router: ";

  private static final Verification TRUSTED = new Verification(null, "");

  public Verification {
    requireNonNull(detail, "detail");
  }

  static Verification trusted() {
    return TRUSTED;
  }

  static Verification refused(Refusal refusal, String detail) {
    return new Verification(requireNonNull(refusal, "refusal"), detail);
  }

  /** Whether the signature verified under a trusted key. */
  public boolean isTrusted() {
    return refusal == null;
  }

  /**
   * One line saying why it is refused, e.g. {@code not signed by a trusted router: unknown key id
   * 3fa9...}; empty when trusted.
   */
  public String reason() {
    if (refusal == null) {
      return "";
    }
    return REASON_PREFIX
        + switch (refusal) {
          case UNSIGNED -> "no signature";
          case UNKNOWN_KEY -> "unknown key id " + detail;
          case BAD_SIGNATURE -> "the signature of key " + detail + " does not match the route";
        };
  }
}
