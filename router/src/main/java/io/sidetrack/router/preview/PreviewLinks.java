package io.sidetrack.router.preview;

import io.sidetrack.core.Intercept;
import io.sidetrack.tunnel.PreviewAccess;
import java.time.Duration;

/**
 * What a tunnel session asks of the previews: a link for its active intercept, and word of when no
 * tunnel holds the intercept any more or it ended.
 */
public interface PreviewLinks {
  /** The answer to an intercept that asked for a preview. */
  sealed interface Link {}

  /** Its preview URL. */
  record Url(String url) implements Link {}

  /** Why there is none (one line for the developer). */
  record Unavailable(String reason) implements Link {}

  /**
   * The preview of an active intercept: its URL (the same while the intercept lives), or why not.
   */
  Link open(Intercept intercept, PreviewAccess access);

  /** No tunnel on this router holds the intercept now; it may come back within {@code grace}. */
  void detached(String interceptId, Duration grace);

  /** The intercept ended, or this router no longer holds it. */
  void ended(String interceptId);

  /** A router without a preview listener. */
  static PreviewLinks none() {
    return new PreviewLinks() {
      @Override
      public Link open(Intercept intercept, PreviewAccess access) {
        return new Unavailable(
            "this router serves no preview URLs (it runs without --preview-listen)");
      }

      @Override
      public void detached(String interceptId, Duration grace) {}

      @Override
      public void ended(String interceptId) {}
    };
  }
}
