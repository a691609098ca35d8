package io.sidetrack.edge.conformance;

import java.util.Map;

/**
 * Where the agent still differs from what {@link NginxConformanceIT} expects, and the fix is in a
 * file outside the parser ({@code FastFront}, {@code EdgeProxy}, {@code ForwardHeaders}). Keys are
 * {@code entry@path}, with path {@code fast} (the agent's port) or {@code full} (the Vert.x proxy's
 * own port). A listed entry that fails is reported, not failed; one that passes is reported so that
 * it can be removed here. Remove an entry once its fix is merged.
 */
final class KnownDiscrepancies {
  private KnownDiscrepancies() {}

  private static final String R0 =
      "EdgeProxy.options(): the Vert.x client writes the target as UTF-8, so each byte >= 0x80 that Netty read as one ISO-8859-1 char goes out as two bytes; send the target's own bytes (re-decode req.uri() from ISO-8859-1, or refuse 400 like an invalid target)";

  private static final String R1 =
      "EdgeProxy.options(): setURI(req.uri()) forwards an absolute-form target as is; an origin server gets origin form (RFC 9112 3.2.1): path and query of the target, \"/\" when empty";

  private static final String R2 =
      "Netty's HTTP decoder behind EdgeProxy refuses bare LF line ends (heads and chunk lines); RFC 9112 2.2 allows either, but the fast front and nginx accept them: the two agent paths should agree";

  private static final String R3 =
      "ForwardHeaders.copyEndToEnd reads only the first Connection field (from.get); use from.getAll with core HopByHop.namedBy (RFC 9110 7.6.1)";

  private static final String R4 =
      "ForwardHeaders.HOP_BY_HOP drops Trailer, which core HopByHop keeps (RFC 9110 6.6.2: end-to-end); use core HopByHop";

  private static final String R5 =
      "EdgeProxy forwards a Transfer-Encoding other than one chunked, last (Netty takes any list naming chunked as chunked and the proxy re-chunks, dropping the other codings; TE in HTTP/1.0 passes; Netty drops Content-Length beside TE and keeps the connection): refuse 400 and close as RFC 9112 6.1/6.3 and the fast front do, before the body is read";

  private static final String R6 =
      "Netty's chunk-size parser trims whitespace around the size; RFC 9112 7.1 has none: EdgeProxy (or a stricter decoder) should refuse it";

  private static final String R7 =
      "Netty unfolds obs-fold into SP, which RFC 9112 5.2 allows, but the fast front and nginx refuse it: the paths should agree (refuse 400 in EdgeProxy)";

  private static final String R8 =
      "Netty accepts a field line with an empty name (': v'); RFC 9110 5.1 needs a token: refuse 400";

  private static final String R9 =
      "EdgeProxy.handle forwards an HTTP/1.1 request without exactly one valid Host; RFC 9112 3.2 requires 400 (as the fast front and nginx do)";

  private static final String R10 =
      "Netty splits the request line on any whitespace and accepts control bytes in the target; RFC 9112 3 (target bytes are VCHAR/obs-text, parts separated by SP): refuse 400";

  private static final String R11 =
      "Vert.x answers 501 to HTTP/1.2; RFC 9110 6.2 says to process it as the highest 1.x known (1.1), as the fast front and nginx do";

  private static final String R12 =
      "Netty refuses a space after the version; RFC 9112 3 allows parsing on whitespace, and the fast front and nginx accept it: the paths should agree";

  static final Map<String, String> LIST =
      Map.ofEntries(
          Map.entry("target-obs-text@full", R0),
          Map.entry("target-utf8@full", R0),
          Map.entry("absolute-form@full", R1),
          Map.entry("absolute-form-port@full", R1),
          Map.entry("absolute-form-no-path@full", R1),
          Map.entry("bare-lf@full", R2),
          Map.entry("chunked-bare-lf@full", R2),
          Map.entry("connection-named-two-fields@full", R3),
          Map.entry("chunked-trailer-announced@full", R4),
          Map.entry("te-gzip-chunked@full", R5),
          Map.entry("cl-and-te@full", R5),
          Map.entry("te-chunked-not-last@full", R5),
          Map.entry("te-gzip-only@full", R5),
          Map.entry("te-identity@full", R5),
          Map.entry("te-empty@full", R5),
          Map.entry("te-chunked-twice@full", R5),
          Map.entry("te-chunked-chunked@full", R5),
          Map.entry("te-http10@full", R5),
          Map.entry("chunk-size-leading-space@full", R6),
          Map.entry("obs-fold@full", R7),
          Map.entry("obs-fold-tab@full", R7),
          Map.entry("empty-name@full", R8),
          Map.entry("missing-host@full", R9),
          Map.entry("two-hosts@full", R9),
          Map.entry("two-hosts-same@full", R9),
          Map.entry("host-slash@full", R9),
          Map.entry("host-space@full", R9),
          Map.entry("host-empty@full", R9),
          Map.entry("pipelined-then-invalid@full", R9),
          Map.entry("target-ctl@full", R10),
          Map.entry("target-nul@full", R10),
          Map.entry("target-del@full", R10),
          Map.entry("tab-separator@full", R10),
          Map.entry("version-1-2@full", R11),
          Map.entry("version-trailing-space@full", R12));

  static String reason(String entry, String path) {
    return LIST.get(entry + "@" + path);
  }
}
