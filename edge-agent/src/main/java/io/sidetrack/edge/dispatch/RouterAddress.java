package io.sidetrack.edge.dispatch;

import java.util.Optional;

/** A router's address as a route names it: {@code HOST:PORT}, optionally behind {@code http://}. */
public record RouterAddress(String host, int port) {
  public static Optional<RouterAddress> parse(String target) {
    String t = target.startsWith("http://") ? target.substring(7) : target;
    int slash = t.indexOf('/');
    if (slash >= 0) {
      t = t.substring(0, slash);
    }
    int colon = t.lastIndexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    try {
      int port = Integer.parseInt(t.substring(colon + 1));
      return port > 0 && port <= 65535
          ? Optional.of(new RouterAddress(t.substring(0, colon), port))
          : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
