package io.sidetrack.cli.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RouterAddressesTest {
  @Test
  void theTunnelOfAnHttpRouterIsWsAndOfAnHttpsRouterWss() {
    assertThat(RouterAddresses.tunnelUri("http://r:8070")).isEqualTo("ws://r:8070/v1/tunnel");
    assertThat(RouterAddresses.tunnelUri("https://r:8443/")).isEqualTo("wss://r:8443/v1/tunnel");
  }

  @Test
  void theUpgradeRequestNamesTheWorkloadAndTheIdEncoded() {
    assertThat(RouterAddresses.tunnelUri("http://r:8070", "shop", "bob-shop-1"))
        .isEqualTo("ws://r:8070/v1/tunnel?workload=shop&id=bob-shop-1");
    assertThat(RouterAddresses.tunnelUri("http://r:8070", "a b", "x&y=z"))
        .isEqualTo("ws://r:8070/v1/tunnel?workload=a+b&id=x%26y%3Dz");
  }

  @Test
  void whatIsNotKnownIsLeftOut() {
    assertThat(RouterAddresses.tunnelUri("http://r:8070", "shop", null))
        .isEqualTo("ws://r:8070/v1/tunnel?workload=shop");
    assertThat(RouterAddresses.tunnelUri("http://r:8070", null, "i"))
        .isEqualTo("ws://r:8070/v1/tunnel?id=i");
    assertThat(RouterAddresses.tunnelUri("http://r:8070", null, null))
        .isEqualTo("ws://r:8070/v1/tunnel");
  }
}
