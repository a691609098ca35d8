package io.sidetrack.edge.proxy;

import java.net.InetSocketAddress;

/**
 * Where the front records the connections it handed to the full proxy, so that the full proxy names
 * the real client in its forwarding fields: by the front's local port of the loopback connection,
 * and the client's address.
 */
interface HandOffs {
  HandOffs NONE =
      new HandOffs() {
        @Override
        public void handedOff(int port, InetSocketAddress client) {}

        @Override
        public void handedOffClosed(int port, InetSocketAddress client) {}
      };

  /** The front's connection from local {@code port} carries {@code client}'s requests. */
  void handedOff(int port, InetSocketAddress client);

  /** That connection closed. */
  void handedOffClosed(int port, InetSocketAddress client);

  /** The full proxy's own registry. */
  static HandOffs of(EdgeProxy proxy) {
    return new HandOffs() {
      @Override
      public void handedOff(int port, InetSocketAddress client) {
        proxy.handedOff(port, client);
      }

      @Override
      public void handedOffClosed(int port, InetSocketAddress client) {
        proxy.handedOffClosed(port, client);
      }
    };
  }
}
