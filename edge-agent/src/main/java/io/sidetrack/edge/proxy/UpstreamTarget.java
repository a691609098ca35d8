package io.sidetrack.edge.proxy;

import java.nio.charset.StandardCharsets;

/**
 * The request target the full proxy sends on: origin form (RFC 9112 section 3.2.1), and the
 * client's own bytes. Netty reads the target's bytes as ISO-8859-1 chars and the Vert.x client
 * writes chars as UTF-8, so a target is turned back into the chars whose UTF-8 are its bytes.
 */
final class UpstreamTarget {
  private UpstreamTarget() {}

  /** The target to send for a client's {@code target} as Vert.x read it. */
  static String of(String target) {
    String origin = originForm(target);
    for (int i = 0; i < origin.length(); i++) {
      if (origin.charAt(i) >= 0x80) {
        return new String(origin.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
      }
    }
    return origin;
  }

  /** The path and query of an absolute-form target ({@code "/"} when it has no path). */
  static String originForm(String target) {
    if (target.startsWith("/") || target.equals("*")) {
      return target;
    }
    int scheme = target.indexOf("://");
    if (scheme <= 0) {
      return target;
    }
    int path = scheme + 3;
    while (path < target.length() && "/?#".indexOf(target.charAt(path)) < 0) {
      path++;
    }
    if (path == target.length() || target.charAt(path) != '/') {
      int fragment = target.indexOf('#', path);
      return "/" + target.substring(path, fragment < 0 ? target.length() : fragment);
    }
    int fragment = target.indexOf('#', path);
    return target.substring(path, fragment < 0 ? target.length() : fragment);
  }
}
