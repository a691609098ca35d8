package io.sidetrack.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ForwardedTrustTest {
  @Test
  void theDefaultTrustsPrivateNetworksAndNoPublicAddress() {
    ForwardedTrust trust = ForwardedTrust.privateNetworks();
    assertThat(trust.trusts("127.0.0.1")).isTrue();
    assertThat(trust.trusts("10.244.3.17")).isTrue();
    assertThat(trust.trusts("172.16.0.1")).isTrue();
    assertThat(trust.trusts("172.31.255.255")).isTrue();
    assertThat(trust.trusts("172.32.0.1")).isFalse();
    assertThat(trust.trusts("192.168.1.1")).isTrue();
    assertThat(trust.trusts("100.64.0.1")).isTrue();
    assertThat(trust.trusts("::1")).isTrue();
    assertThat(trust.trusts("fd00::1")).isTrue();
    assertThat(trust.trusts("203.0.113.9")).isFalse();
    assertThat(trust.trusts("2001:db8::1")).isFalse();
    assertThat(trust.trusts("::ffff:10.1.2.3")).isTrue();
    assertThat(trust.trusts("::ffff:203.0.113.9")).isFalse();
  }

  @Test
  void allAndNoneMeanWhatTheySay() {
    assertThat(ForwardedTrust.parse("all").trusts("203.0.113.9")).isTrue();
    assertThat(ForwardedTrust.parse("none").trusts("127.0.0.1")).isFalse();
  }

  @Test
  void aListTrustsItsBlocksAndAddressesOnly() {
    ForwardedTrust trust = ForwardedTrust.parse("203.0.113.0/24, 198.51.100.7,2001:db8::/32");
    assertThat(trust.trusts("203.0.113.200")).isTrue();
    assertThat(trust.trusts("203.0.114.1")).isFalse();
    assertThat(trust.trusts("198.51.100.7")).isTrue();
    assertThat(trust.trusts("198.51.100.8")).isFalse();
    assertThat(trust.trusts("2001:db8:1::5")).isTrue();
    assertThat(trust.trusts("127.0.0.1")).isFalse();
    assertThat(ForwardedTrust.parse("private,203.0.113.9").trusts("10.0.0.1")).isTrue();
  }

  @Test
  void aPrefixThatIsNotAByteBoundaryMasksTheRightBits() {
    ForwardedTrust trust = ForwardedTrust.parse("10.1.2.128/25");
    assertThat(trust.trusts("10.1.2.129")).isTrue();
    assertThat(trust.trusts("10.1.2.127")).isFalse();
  }

  @Test
  void somethingThatIsNotAnAddressIsNeverTrustedAndNeverLookedUp() {
    ForwardedTrust trust = ForwardedTrust.parse("all");
    assertThat(ForwardedTrust.privateNetworks().trusts("localhost")).isFalse();
    assertThat(ForwardedTrust.privateNetworks().trusts("unknown")).isFalse();
    assertThat(ForwardedTrust.privateNetworks().trusts(null)).isFalse();
    assertThat(trust.trusts("unknown")).isTrue();
  }

  @Test
  void aBadSettingIsRefusedNamingTheEntry() {
    assertThatThrownBy(() -> ForwardedTrust.parse("10.0.0.0/8,ingress.local"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'ingress.local' is not an IP address or CIDR block");
    assertThatThrownBy(() -> ForwardedTrust.parse("10.0.0.0/33"))
        .hasMessageContaining("prefix length outside 0-32");
    assertThatThrownBy(() -> ForwardedTrust.parse("private,all"))
        .hasMessageContaining("'all' and 'none' stand alone");
    assertThatThrownBy(() -> ForwardedTrust.parse("256.1.1.1"))
        .hasMessageContaining("is not an IP address");
  }

  @Test
  void literalsParseAsTheJdkParsesThemWithoutTheJdk() throws Exception {
    for (String text :
        new String[] {
          "0.0.0.0",
          "10.1.2.3",
          "255.255.255.255",
          "::",
          "::1",
          "1::",
          "fe80::1:2",
          "2001:db8:0:0:1:0:0:1",
          "2001:DB8::8:800:200C:417A",
          "0:0:0:0:0:0:0:1",
          "::ffff:192.0.2.1",
          "64:ff9b::198.51.100.7",
          "[2001:db8::1]"
        }) {
      byte[] jdk = InetAddress.getByName(text).getAddress();
      byte[] ours = ForwardedTrust.literal(text);
      if (ours.length == 16 && jdk.length == 4) {
        // the JDK folds ::ffff:a.b.c.d to IPv4; trusts() folds it too
        assertThat(java.util.Arrays.copyOfRange(ours, 12, 16)).as(text).isEqualTo(jdk);
      } else {
        assertThat(ours).as(text).isEqualTo(jdk);
      }
    }
    for (String text :
        new String[] {
          "1.2.3",
          "1.2.3.4.5",
          "1..2.3",
          "01234.1.1.1",
          "1:2:3:4:5:6:7",
          "1:2:3:4:5:6:7:8:9",
          "1::2::3",
          "12345::",
          "g::1",
          ":1",
          "1:",
          "::1.2.3",
          "1:2:3:4:5:6:7::8",
          "a.b.c.d"
        }) {
      assertThat(ForwardedTrust.literal(text)).as(text).isNull();
    }
  }

  @Test
  void aPeerWithAScopeIsJudgedByItsAddress() {
    assertThat(ForwardedTrust.privateNetworks().trusts("fe80:0:0:0:1:2:3:4%eth0")).isTrue();
    assertThat(ForwardedTrust.parse("fe80::1/128,10.0.0.0/8").trusts("fe80::2%1")).isFalse();
  }
}
