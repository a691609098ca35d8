package io.sidetrack.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.net.SocketAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class HandedOffClientsTest {
  private final HandedOffClients clients = new HandedOffClients();
  private final InetSocketAddress alice = new InetSocketAddress("192.0.2.1", 40001);
  private final InetSocketAddress bob = new InetSocketAddress("192.0.2.2", 40002);

  @Test
  void handedOffConnectionIsKnownByItsClient() {
    clients.handedOff(5000, alice);
    assertThat(clients.clientOf(SocketAddress.inetSocketAddress(5000, "127.0.0.1")))
        .isEqualTo("192.0.2.1");
  }

  @Test
  void lateCloseOfAnOldConnectionKeepsTheClientOfANewOneOnTheSamePort() {
    clients.handedOff(5000, alice);
    clients.handedOff(5000, bob); // the port was reused before alice's close was reported
    clients.closed(5000, alice);
    assertThat(clients.clientOf(SocketAddress.inetSocketAddress(5000, "127.0.0.1")))
        .isEqualTo("192.0.2.2");
  }

  @Test
  void closedConnectionIsForgotten() {
    clients.handedOff(5000, alice);
    clients.closed(5000, alice);
    assertThat(clients.clientOf(SocketAddress.inetSocketAddress(5000, "127.0.0.1")))
        .isEqualTo("127.0.0.1");
  }

  @Test
  void directClientIsKnownByItsOwnAddress() {
    clients.handedOff(5000, alice);
    assertThat(clients.clientOf(SocketAddress.inetSocketAddress(5000, "10.1.2.3")))
        .isEqualTo("10.1.2.3");
    assertThat(clients.clientOf(null)).isEqualTo("unknown");
  }
}
