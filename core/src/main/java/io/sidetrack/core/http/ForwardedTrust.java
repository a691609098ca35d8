package io.sidetrack.core.http;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whose forwarding fields ({@code X-Forwarded-For/Host/Proto}, {@code Forwarded}) a proxy keeps. A
 * request from a trusted peer (an ingress, a load balancer) keeps them and gets the peer appended;
 * a request from any other peer has them replaced by what the proxy itself saw, so a client cannot
 * claim another address, host or scheme.
 *
 * <p>The setting is {@code private} (the default: loopback, link-local and private networks, where
 * a cluster's ingress and load balancers live), {@code all}, {@code none}, or a comma-separated
 * list of addresses and CIDR blocks, which may include {@code private}.
 */
public final class ForwardedTrust {
  /** The default setting. */
  public static final String DEFAULT = "private";

  /** Loopback, link-local, RFC 1918, carrier-grade NAT (RFC 6598), IPv6 unique-local. */
  private static final List<String> PRIVATE =
      List.of(
          "127.0.0.0/8",
          "10.0.0.0/8",
          "172.16.0.0/12",
          "192.168.0.0/16",
          "169.254.0.0/16",
          "100.64.0.0/10",
          "::1/128",
          "fc00::/7",
          "fe80::/10");

  private record Block(byte[] network, int bits) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  private final String setting;
  private final boolean all;
  private final List<Block> blocks;

  private ForwardedTrust(String setting, boolean all, List<Block> blocks) {
    this.setting = setting;
    this.all = all;
    this.blocks = List.copyOf(blocks);
  }

  /** The default: private networks. */
  public static ForwardedTrust privateNetworks() {
    return parse(DEFAULT);
  }

  /**
   * Reads a setting.
   *
   * @throws IllegalArgumentException naming the entry that is neither a keyword nor an address or
   *     CIDR block
   */
  public static ForwardedTrust parse(String setting) {
    requireNonNull(setting, "setting");
    String trimmed = setting.trim().toLowerCase(Locale.ROOT);
    if (trimmed.equals("all")) {
      return new ForwardedTrust("all", true, List.of());
    }
    if (trimmed.equals("none")) {
      return new ForwardedTrust("none", false, List.of());
    }
    List<Block> blocks = new ArrayList<>();
    for (String entry : trimmed.split(",")) {
      String e = entry.trim();
      if (e.equals("private")) {
        PRIVATE.forEach(p -> blocks.add(block(p, setting)));
      } else if (e.isEmpty() || e.equals("all") || e.equals("none")) {
        throw new IllegalArgumentException(
            "'"
                + setting
                + "': 'all' and 'none' stand alone; a list holds addresses, CIDR blocks and"
                + " 'private'");
      } else {
        blocks.add(block(e, setting));
      }
    }
    return new ForwardedTrust(trimmed, false, blocks);
  }

  private static Block block(String entry, String setting) {
    int slash = entry.indexOf('/');
    String address = slash < 0 ? entry : entry.substring(0, slash);
    byte[] bytes = literal(address);
    if (bytes == null) {
      throw new IllegalArgumentException(
          "'" + setting + "': '" + entry + "' is not an IP address or CIDR block");
    }
    int bits = bytes.length * 8;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(entry.substring(slash + 1));
      } catch (NumberFormatException e) {
        bits = -1;
      }
      if (bits < 0 || bits > bytes.length * 8) {
        throw new IllegalArgumentException(
            "'" + setting + "': '" + entry + "' has a prefix length outside 0-" + bytes.length * 8);
      }
    }
    return new Block(bytes, bits);
  }

  /** The bytes of an IP literal, or null when {@code text} is not one (never a name lookup). */
  static byte[] literal(String text) {
    String t =
        text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    if (t.isEmpty()) {
      return null;
    }
    return t.indexOf(':') >= 0 ? ipv6(t) : ipv4(t);
  }

  private static byte[] ipv4(String t) {
    String[] parts = t.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return null;
      }
      int v = Integer.parseInt(p);
      if (v > 255) {
        return null;
      }
      bytes[i] = (byte) v;
    }
    return bytes;
  }

  /** RFC 4291 text forms: eight groups, one {@code ::}, an optional dotted-quad tail. */
  private static byte[] ipv6(String t) {
    int gap = t.indexOf("::");
    if (gap >= 0 && t.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    List<Integer> head = gap < 0 ? groups(t) : groups(t.substring(0, gap));
    List<Integer> tail = gap < 0 ? List.of() : groups(t.substring(gap + 2));
    if (head == null || tail == null) {
      return null;
    }
    int words = head.size() + tail.size();
    if (gap < 0 ? words != 8 : words > 7) {
      return null;
    }
    byte[] bytes = new byte[16];
    for (int i = 0; i < head.size(); i++) {
      put(bytes, i, head.get(i));
    }
    for (int i = 0; i < tail.size(); i++) {
      put(bytes, 8 - tail.size() + i, tail.get(i));
    }
    return bytes;
  }

  private static void put(byte[] bytes, int word, int value) {
    bytes[2 * word] = (byte) (value >> 8);
    bytes[2 * word + 1] = (byte) value;
  }

  /** The 16-bit words of a colon-separated run; a trailing dotted quad counts as two. */
  private static List<Integer> groups(String run) {
    List<Integer> words = new ArrayList<>();
    if (run.isEmpty()) {
      return words;
    }
    String[] parts = run.split(":", -1);
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (i == parts.length - 1 && p.indexOf('.') >= 0) {
        byte[] v4 = ipv4(p);
        if (v4 == null) {
          return null;
        }
        words.add(((v4[0] & 0xff) << 8) | (v4[1] & 0xff));
        words.add(((v4[2] & 0xff) << 8) | (v4[3] & 0xff));
        continue;
      }
      if (p.isEmpty() || p.length() > 4 || !p.chars().allMatch(ForwardedTrust::isHex)) {
        return null;
      }
      words.add(Integer.parseInt(p, 16));
    }
    return words;
  }

  private static boolean isHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** Whether the peer at {@code address} (an IP literal as a socket gives it) is trusted. */
  public boolean trusts(String address) {
    if (all) {
      return true;
    }
    if (blocks.isEmpty() || address == null) {
      return false;
    }
    int scope = address.indexOf('%');
    byte[] bytes = literal(scope < 0 ? address : address.substring(0, scope));
    return bytes != null && trusts(bytes);
  }

  private boolean trusts(byte[] bytes) {
    byte[] v4 = mappedV4(bytes);
    for (Block b : blocks) {
      if (b.contains(bytes) || (v4 != null && b.contains(v4))) {
        return true;
      }
    }
    return false;
  }

  /** The IPv4 address of an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}), else null. */
  private static byte[] mappedV4(byte[] bytes) {
    if (bytes.length != 16) {
      return null;
    }
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return null;
      }
    }
    if (bytes[10] != (byte) 0xff || bytes[11] != (byte) 0xff) {
      return null;
    }
    return new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
  }

  @Override
  public String toString() {
    return setting;
  }
}
