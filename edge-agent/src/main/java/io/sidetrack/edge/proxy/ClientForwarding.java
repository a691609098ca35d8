package io.sidetrack.edge.proxy;

import io.netty.channel.Channel;
import io.sidetrack.core.http.ForwardedTrust;
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
  private final boolean trusted;
  private final byte[] addressBytes;
  private byte[] host;
  private byte[] element;

  ClientForwarding(String address, boolean trusted) {
    this.address = address;
    this.trusted = trusted;
    this.addressBytes = Http1Head.ascii(address);
  }

  /** The forwarding of {@code client}'s connection, whose own fields {@code trust} keeps or not. */
  static ClientForwarding of(Channel client, ForwardedTrust trust) {
    InetSocketAddress remote = (InetSocketAddress) client.remoteAddress();
    String address = remote == null ? "unknown" : remote.getAddress().getHostAddress();
    return new ClientForwarding(address, trust.trusts(address));
  }

  /** Whether the client's own forwarding fields go on (else the front's replace them). */
  boolean trusted() {
    return trusted;
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
