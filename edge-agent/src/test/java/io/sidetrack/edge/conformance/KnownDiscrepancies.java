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

  static final Map<String, String> LIST = Map.ofEntries();

  static String reason(String entry, String path) {
    return LIST.get(entry + "@" + path);
  }
}
