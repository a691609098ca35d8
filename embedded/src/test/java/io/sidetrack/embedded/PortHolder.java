package io.sidetrack.embedded;

import java.io.IOException;

/**
 * A process of {@link PortsTest}: takes {@code args[0]} ports from {@link Ports#free()}, prints
 * each on a line, then holds them (as a test JVM would while its servers start) until its standard
 * input closes.
 */
public final class PortHolder {
  private PortHolder() {}

  public static void main(String[] args) throws IOException {
    int count = Integer.parseInt(args[0]);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < count; i++) {
      out.append(Ports.free()).append('\n');
    }
    System.out.print(out);
    System.out.println("done");
    System.out.flush();
    while (System.in.read() >= 0) {
      // hold the ports until the test lets go
    }
  }
}
