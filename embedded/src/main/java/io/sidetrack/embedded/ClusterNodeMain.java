package io.sidetrack.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The {@code main} of one node of an {@link EmbeddedCluster}: a {@link KafkaNode} in a JVM of its
 * own, so that the node can be killed with {@code SIGKILL} like a real broker. Launched by {@link
 * EmbeddedCluster} with this JVM's java and classpath; not meant to be run by hand.
 *
 * <p>Arguments: the node's {@code server.properties} file and the cluster id. The node runs until
 * it gets {@code SIGTERM} (a clean shutdown) or its standard input ends: the parent holds the other
 * end of that pipe, and the operating system closes it however the parent dies (even by {@code
 * SIGKILL}), so no node outlives the JVM that started it.
 */
public final class ClusterNodeMain {
  /** The exit code when a listener's port was taken before the node could bind it. */
  static final int EXIT_PORT_TAKEN = 3;

  /** The exit code of any other failure to start. */
  static final int EXIT_FAILED = 1;

  /**
   * How long a node whose standard input ended gets for a clean shutdown before it halts. (A
   * parent's {@code Process.destroy()} closes the pipe too, so this bounds a clean stop as well.)
   */
  private static final long ORPHAN_GRACE_MS = 15_000;

  private ClusterNodeMain() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: ClusterNodeMain <server.properties> <cluster-id>");
      System.exit(EXIT_FAILED);
    }
    watchParent();
    KafkaNode node;
    try {
      node = KafkaNode.start(load(Path.of(args[0])), args[1]);
    } catch (Exception e) {
      System.err.println("Kafka node failed to start: " + rootMessage(e));
      Runtime.getRuntime().halt(portTaken(e) ? EXIT_PORT_TAKEN : EXIT_FAILED);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "stop-kafka-node"));
    System.out.println("Kafka node started");
    System.out.flush();
    node.awaitShutdown();
  }

  /** Exits when standard input ends, i.e. when the parent process is gone. */
  private static void watchParent() {
    Thread watcher =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                while (in.read() != -1) {
                  // the parent never writes; anything read is ignored
                }
              } catch (IOException e) {
                // a broken pipe: the parent is gone as well
              }
              System.err.println("Parent process gone: stopping this Kafka node");
              Thread halt =
                  new Thread(
                      () -> {
                        try {
                          Thread.sleep(ORPHAN_GRACE_MS);
                        } catch (InterruptedException e) {
                          // halt now
                        }
                        Runtime.getRuntime().halt(EXIT_FAILED);
                      },
                      "halt-orphaned-node");
              halt.setDaemon(true);
              halt.start();
              System.exit(0);
            },
            "watch-parent");
    watcher.setDaemon(true);
    watcher.start();
  }

  private static Map<String, String> load(Path file) throws IOException {
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(in);
    }
    Map<String, String> map = new TreeMap<>();
    props.stringPropertyNames().forEach(k -> map.put(k, props.getProperty(k)));
    return map;
  }

  private static boolean portTaken(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException
          || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root == e ? e.toString() : e.getMessage() + " (" + root + ")";
  }
}
