package io.sidetrack.feed;

/**
 * A record the reader skipped: it could not be deserialized, or the handler threw applying it.
 *
 * @param key the key as text (or a placeholder when the key itself did not deserialize)
 * @param stage where it failed
 * @param cause why
 */
public record SkippedRecord(
    String topic, int partition, long offset, String key, Stage stage, Throwable cause) {

  /** Where a skipped record failed. */
  public enum Stage {
    /** Its key or value could not be deserialized. */
    DESERIALIZE,
    /** The handler threw while applying it. */
    APPLY
  }

  /** The cause as one line: its message, or its type when it has none. */
  public String reason() {
    String m = cause.getMessage();
    return m == null ? cause.getClass().getSimpleName() : m;
  }
}
