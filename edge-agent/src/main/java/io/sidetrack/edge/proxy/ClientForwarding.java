package io.sidetrack.edge.proxy;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What the forwarding fields say of one client connection: its address, and the {@code Forwarded}
 * element for the host it last asked for, kept as bytes so that the requests of a kept-alive
 * connection to one host build it once.
 */
final class ClientForwarding {
  private final String address;
  private final byte[] addressBytes;
  private byte[] host;
  private byte[] element;

  ClientForwarding(String address) {
    this.address = address;
    this.addressBytes = Http1Head.ascii(address);
  }

  /** The forwarding of {@code client}'s connection. */
  static ClientForwarding of(Channel client) {
    InetSocketAddress remote = (InetSocketAddress) client.remoteAddress();
    return new ClientForwarding(remote == null ? "unknown" : remote.getAddress().getHostAddress());
  }

  @Override
  public String toString() {
    return address;
  }

  /** The client's IP address as text, as {@code X-Forwarded-For} gives it. */
  byte[] address() {
    return addressBytes;
  }

  /** The {@code Forwarded} element of a request whose {@code Host} is field {@code hostField}. */
  byte[] forwardedElement(Http1Head h, int hostField) {
    boolean same = element != null && (hostField < 0 ? host == null : h.valueIs(hostField, host));
    if (!same) {
      host =
          hostField < 0
              ? null
              : Arrays.copyOfRange(h.bytes, h.valueStart(hostField), h.valueEnd(hostField));
      element =
          Http1Head.ascii(
              ForwardHeaders.forwardedElement(
                  address,
                  host == null ? null : new String(host, StandardCharsets.ISO_8859_1),
                  "http"));
    }
    return element;
  }
}
