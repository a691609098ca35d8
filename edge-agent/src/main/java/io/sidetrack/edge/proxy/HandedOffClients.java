package io.sidetrack.edge.proxy;

import static java.util.Objects.requireNonNull;

import io.vertx.core.net.SocketAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client addresses of connections the fast front handed over to the full proxy, by the local
 * port of the front's loopback connection: to the full proxy those requests come from {@code
 * 127.0.0.1}, and {@code X-Forwarded-For} must name the real client. Thread-safe: the front's event
 * loops write, the proxy's read.
 */
final class HandedOffClients {
  private final Map<Integer, InetSocketAddress> byPort = new ConcurrentHashMap<>();

  /** The front's connection from local {@code port} carries {@code client}'s requests. */
  void handedOff(int port, InetSocketAddress client) {
    byPort.put(port, requireNonNull(client, "client"));
  }

  /**
   * The front's connection from {@code port} for {@code client} closed. Only that entry goes: a new
   * connection may already reuse the port (its close is reported late, on another event loop).
   */
  void closed(int port, InetSocketAddress client) {
    byPort.remove(port, client);
  }

  /** The address a request from {@code remote} is known by: the front's client if handed over. */
  String clientOf(SocketAddress remote) {
    if (remote == null) {
      return "unknown";
    }
    String host = remote.hostAddress();
    if ("127.0.0.1".equals(host)) {
      InetSocketAddress client = byPort.get(remote.port());
      if (client != null) {
        return client.getAddress().getHostAddress();
      }
    }
    return host;
  }
}
