package io.sidetrack.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for servers that must be told their port before they bind (a Kafka broker's
 * listeners, a child process).
 *
 * <p>Asking the kernel for port 0 and closing the socket again does not reserve anything: another
 * JVM (a parallel test fork, a second {@code sidetrack up}) asking the same way is soon handed the
 * same port, and outgoing connections take ports from that range too. So a port handed out here
 * comes from outside the kernel's ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range}),
 * where neither happens, and is reserved across processes by an exclusive lock on a file named for
 * it in a shared temporary directory. The lock is held until this JVM exits (the operating system
 * releases it even on a crash), so no other caller of this class on the machine gets the port
 * meanwhile; a bind check skips ports something else already uses.
 *
 * <p>Where a server can bind port 0 itself and report the port it got, prefer that.
 */
public final class Ports {
  /** The lowest port handed out: below it are the registered services of most machines. */
  static final int LOWEST = 15_000;

  private static final int HIGHEST = 65_535;
  private static final Path LOCKS =
      Path.of(System.getProperty("java.io.tmpdir"), "sidetrack-ports");

  /** Held for this JVM's life: closing a channel would release its lock. */
  private static final List<FileChannel> HELD = new ArrayList<>();

  /** The ports whose locks {@link #HELD} holds (guarded by the class lock, as free() is). */
  private static final java.util.Set<Integer> HELD_PORTS = new java.util.HashSet<>();

  private Ports() {}

  /**
   * A port free on 127.0.0.1 now, outside the ephemeral range, and handed to no other caller of
   * this method in any JVM on this machine while this JVM lives.
   *
   * @throws UncheckedIOException when no such port is left or the lock directory is not writable
   */
  public static synchronized int free() {
    int[] ephemeral = ephemeralRange();
    List<int[]> ranges = new ArrayList<>();
    if (ephemeral[0] > LOWEST) {
      ranges.add(new int[] {LOWEST, ephemeral[0] - 1});
    }
    if (ephemeral[1] < HIGHEST) {
      ranges.add(new int[] {ephemeral[1] + 1, HIGHEST});
    }
    int size = ranges.stream().mapToInt(r -> r[1] - r[0] + 1).sum();
    if (size == 0) {
      throw new UncheckedIOException(
          new IOException(
              "no ports outside the ephemeral range " + ephemeral[0] + "-" + ephemeral[1]));
    }
    Path dir = lockDirectory();
    // a random start: JVMs starting together do not all contend for the same first files
    int start = ThreadLocalRandom.current().nextInt(size);
    for (int i = 0; i < size; i++) {
      int port = nth(ranges, (start + i) % size);
      if (reserve(dir, port) && bindable(port)) {
        return port;
      }
    }
    throw new UncheckedIOException(
        new IOException("no free port left outside the ephemeral range (locks in " + dir + ")"));
  }

  /**
   * The kernel's ephemeral port range {@code [low, high]}, from which it picks the ports of
   * outgoing connections and of binds to port 0; Linux's default when it cannot be read.
   */
  static int[] ephemeralRange() {
    try {
      String[] f =
          Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
      return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
    } catch (IOException | RuntimeException e) {
      return new int[] {32_768, 60_999};
    }
  }

  private static int nth(List<int[]> ranges, int n) {
    for (int[] r : ranges) {
      int length = r[1] - r[0] + 1;
      if (n < length) {
        return r[0] + n;
      }
      n -= length;
    }
    throw new IllegalArgumentException("n");
  }

  private static Path lockDirectory() {
    for (Path dir : List.of(LOCKS, Path.of(LOCKS + "-" + System.getProperty("user.name")))) {
      try {
        Files.createDirectories(dir);
        if (Files.isWritable(dir)) {
          return dir;
        }
      } catch (IOException e) {
        // another user's directory: try our own
      }
    }
    throw new UncheckedIOException(new IOException("cannot write port locks in " + LOCKS));
  }

  /** Takes the port's lock, kept until this JVM exits; false if another holder has it. */
  private static boolean reserve(Path dir, int port) {
    // Never open a second channel to a lock file this JVM holds: closing it would drop the
    // process's fcntl lock on that file (POSIX), and another JVM could then take the port.
    if (HELD_PORTS.contains(port)) {
      return false;
    }
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              dir.resolve(port + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock != null) {
        HELD.add(channel);
        HELD_PORTS.add(port);
        return true;
      }
    } catch (OverlappingFileLockException e) {
      // this JVM holds it already
    } catch (IOException e) {
      // an unreadable lock file: skip the port
    }
    closeQuietly(channel);
    return false;
  }

  /**
   * Whether nothing listens on the port now, on any address: a server may bind the wildcard
   * address, which conflicts with loopback.
   */
  private static boolean bindable(int port) {
    for (InetAddress address : addresses()) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true); // as servers do: a connection in TIME_WAIT does not matter
        socket.bind(new InetSocketAddress(address, port), 1);
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  private static List<InetAddress> addresses() {
    List<InetAddress> all = new ArrayList<>();
    all.add(InetAddress.getLoopbackAddress());
    all.add(new InetSocketAddress(0).getAddress());
    return all;
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException e) {
      // nothing held
    }
  }
}
