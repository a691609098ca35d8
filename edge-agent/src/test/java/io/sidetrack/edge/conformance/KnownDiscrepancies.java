package io.sidetrack.edge.conformance;

import java.util.Map;

/**
 * Where the agent still differs from what {@link NginxConformanceIT} expects, and the fix is in a
 * file outside the parser ({@code FastFront}, the Vert.x path's classes, {@code ForwardHeaders}).
 * Keys are {@code entry@path}, with path {@code fast} (the agent's port) or {@code full} (the
 * Vert.x proxy's own port). A listed entry that fails is reported, not failed; one that passes is
 * reported so that it can be removed here. Remove an entry once its fix is merged.
 */
final class KnownDiscrepancies {
  private KnownDiscrepancies() {}

  private static final String R0 =
      "UpstreamTarget gives the Vert.x client the target's bytes back as chars whose UTF-8 they are; obs-text that is not UTF-8 has no such chars (it becomes U+FFFD), and the client writes only UTF-8: forwarding it unchanged needs a client that writes the target's bytes";

  private static final String R2 =
      "Netty's HTTP decoder behind EdgeProxy refuses bare LF line ends (heads and chunk lines); RFC 9112 2.2 allows either, but the fast front and nginx accept them: the two agent paths should agree";

  private static final String R5 =
      "Netty's decoder removes Content-Length beside Transfer-Encoding before EdgeProxy sees the request, so RequestChecks cannot refuse CL+TE (RFC 9112 6.1/6.3, as the fast front does); the decoder would have to keep it";

  private static final String R6 =
      "Netty's chunk-size parser trims whitespace around the size; RFC 9112 7.1 has none: EdgeProxy (or a stricter decoder) should refuse it";

  private static final String R7 =
      "Netty unfolds obs-fold into SP, which RFC 9112 5.2 allows, but the fast front and nginx refuse it; the proxy sees only the unfolded value, so the decoder would have to refuse it";

  private static final String R10 =
      "Netty splits the request line on any whitespace, so a tab between method and target never reaches EdgeProxy (RFC 9112 3: parts separated by SP): the decoder would have to refuse it";

  private static final String R11 =
      "Vert.x answers 501 to HTTP/1.2; RFC 9110 6.2 says to process it as the highest 1.x known (1.1), as the fast front and nginx do";

  private static final String R12 =
      "Netty refuses a space after the version; RFC 9112 3 allows parsing on whitespace, and the fast front and nginx accept it: the paths should agree";

  static final Map<String, String> LIST =
      Map.ofEntries(
          Map.entry("target-obs-text@full", R0),
          Map.entry("bare-lf@full", R2),
          Map.entry("chunked-bare-lf@full", R2),
          Map.entry("cl-and-te@full", R5),
          Map.entry("chunk-size-leading-space@full", R6),
          Map.entry("obs-fold@full", R7),
          Map.entry("obs-fold-tab@full", R7),
          Map.entry("tab-separator@full", R10),
          Map.entry("version-1-2@full", R11),
          Map.entry("version-trailing-space@full", R12));

  static String reason(String entry, String path) {
    return LIST.get(entry + "@" + path);
  }
}
