package io.sidetrack.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PortsTest {
  private static final int PROCESSES = 4;
  private static final int PORTS_EACH = 200;

  @Test
  @Timeout(120)
  void jvmsRunningAtOnceNeverGetTheSamePort() throws Exception {
    List<Process> holders = new ArrayList<>();
    try {
      for (int p = 0; p < PROCESSES; p++) {
        holders.add(
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    PortHolder.class.getName(),
                    Integer.toString(PORTS_EACH))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start());
      }
      Map<Integer, Integer> ownerOf = new HashMap<>();
      List<String> collisions = new ArrayList<>();
      for (int p = 0; p < holders.size(); p++) {
        for (int port : portsOf(holders.get(p))) {
          Integer earlier = ownerOf.putIfAbsent(port, p);
          if (earlier != null) {
            collisions.add(port + " (processes " + earlier + " and " + p + ")");
          }
        }
      }
      assertThat(collisions).isEmpty();
      assertThat(ownerOf).hasSize(PROCESSES * PORTS_EACH);
    } finally {
      for (Process h : holders) {
        h.getOutputStream().close();
        if (!h.waitFor(10, TimeUnit.SECONDS)) {
          h.destroyForcibly();
        }
      }
    }
  }

  @Test
  @Timeout(60)
  void threadsOfOneJvmNeverGetTheSamePort() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      Set<Integer> seen = ConcurrentHashMap.newKeySet();
      List<Future<Boolean>> added = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        added.add(pool.submit(() -> seen.add(Ports.free())));
      }
      for (Future<Boolean> f : added) {
        assertThat(f.get()).as("a port handed out twice").isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @Timeout(30)
  void aPortHandedOutIsOutsideTheKernelsEphemeralRangeAndBindable() throws IOException {
    int[] ephemeral = Ports.ephemeralRange();
    int port = Ports.free();
    assertThat(port < ephemeral[0] || port > ephemeral[1])
        .as("%d outside %d-%d", port, ephemeral[0], ephemeral[1])
        .isTrue();
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThat(s.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  @Timeout(30)
  void aPortInUseIsNotHandedOut() throws IOException {
    Set<Integer> taken = new HashSet<>();
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      // occupy the next ports a fresh lock holder would try, then ask
      for (int i = 0; i < 20; i++) {
        int p = Ports.free();
        sockets.add(new ServerSocket(p, 1, InetAddress.getLoopbackAddress()));
        taken.add(p);
      }
      assertThat(taken).doesNotContain(Ports.free());
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  private static List<Integer> portsOf(Process holder) throws IOException {
    List<Integer> ports = new ArrayList<>();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null && !line.equals("done"); line = in.readLine()) {
      ports.add(Integer.parseInt(line.trim()));
    }
    return ports;
  }
}
