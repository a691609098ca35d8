package io.sidetrack.cli.options;

/** A {@code HOST:PORT} setting. */
public record HostPort(String host, int port) {

  /**
   * Parses {@code HOST:PORT} (or {@code :PORT}, meaning all interfaces).
   *
   * @throws IllegalArgumentException saying what is wrong with the value
   */
  public static HostPort parse(String value) {
    int colon = value == null ? -1 : value.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("expected HOST:PORT");
    }
    String host = value.substring(0, colon);
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected HOST:PORT; the port is not a number");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("expected HOST:PORT; the port must be 0-65535");
    }
    return new HostPort(host.isEmpty() ? "0.0.0.0" : host, port);
  }

  /** This host, with {@code 0.0.0.0} (all interfaces) replaced by the loopback address. */
  public String connectHost() {
    return host.equals("0.0.0.0") ? "127.0.0.1" : host;
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
