package io.sidetrack.cli.components;

/** A {@code HOST:PORT} setting. */
public record HostPort(String host, int port) {

  /**
   * Parses {@code HOST:PORT} (or {@code :PORT}, meaning all interfaces).
   *
   * @throws IllegalArgumentException naming {@code setting} and the value when it is malformed
   */
  public static HostPort parse(String setting, String value) {
    int colon = value == null ? -1 : value.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(
          "invalid " + setting + ": '" + value + "' (expected HOST:PORT)");
    }
    String host = value.substring(0, colon);
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "invalid " + setting + ": '" + value + "' (the port is not a number)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "invalid " + setting + ": '" + value + "' (the port must be 0-65535)");
    }
    return new HostPort(host.isEmpty() ? "0.0.0.0" : host, port);
  }
}
