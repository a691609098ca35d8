package io.sidetrack.embedded;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka cluster on this machine: {@code n} KRaft nodes, each a broker and a
 * controller (combined roles, an {@code n}-voter quorum), each in a JVM of its own so that one can
 * be killed with {@code SIGKILL} ({@link #kill}) and started again on the same data ({@link
 * #restart}). Loopback listeners on free ports, data under the given directory (node {@code i} in
 * {@code node-i/}, its output in {@code node-i.log}).
 *
 * <p>Topics get replication factor {@code min(3, n)} and {@code min.insync.replicas} one less (at
 * least 1) unless created with their own: on three nodes RF 3 and min ISR 2, so any one node can be
 * lost without losing an acknowledged record or refusing a write. Kafka's own internal topics
 * (consumer offsets, transaction state, share-group state) get the same.
 *
 * <p>Each node runs {@link ClusterNodeMain} with this JVM's {@code java} and classpath. A node dies
 * with this JVM, however it ends (see {@link ClusterNodeMain}), so no broker is left behind.
 */
public final class EmbeddedCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCluster.class);

  /** How long {@link #start} and {@link #restart} wait for every node to be registered. */
  public static final Duration READY_TIMEOUT = Duration.ofSeconds(300);

  /** How long a node gets to shut down cleanly on {@link #close()} before it is killed. */
  static final Duration STOP_GRACE = Duration.ofSeconds(15);

  /** The most nodes a cluster may have: each takes about 350 MB. */
  public static final int MAX_NODES = 5;

  private static final int START_ATTEMPTS = 3;

  private final Path dir;
  private final int size;
  private final boolean deleteOnClose;
  private final String clusterId;
  private final int[] brokerPorts;
  private final int[] controllerPorts;
  private final Process[] processes;
  private final ExtraListener extraListener;
  private boolean closed;

  /**
   * A second client listener on every node, besides {@code PLAINTEXT}, bound on ports the caller
   * chose and advertising addresses the caller chose: for a test that puts a relay it controls in
   * front of each node (the relay's address advertised, the bound port its target), so that the
   * clients bootstrapped there reach the cluster only through the relays and can be cut off from
   * it. Brokers still talk to each other on {@code PLAINTEXT}.
   *
   * @param name the listener's name (not {@code PLAINTEXT} or {@code CONTROLLER})
   * @param ports the port node {@code i} binds, at index {@code i - 1}
   * @param advertised the {@code host:port} node {@code i} tells its clients, at index {@code i -
   *     1}
   */
  public record ExtraListener(String name, List<Integer> ports, List<String> advertised) {
    public ExtraListener {
      requireNonNull(name, "name");
      ports = List.copyOf(ports);
      advertised = List.copyOf(advertised);
      if (!name.matches("[A-Z][A-Z0-9_]*")
          || name.equals("PLAINTEXT")
          || name.equals("CONTROLLER")) {
        throw new IllegalArgumentException(
            "an extra listener's name is upper case and not PLAINTEXT or CONTROLLER, not " + name);
      }
      if (ports.size() != advertised.size()) {
        throw new IllegalArgumentException(
            ports.size() + " ports but " + advertised.size() + " advertised addresses");
      }
    }
  }

  /** Not started: {@link #start} launches the nodes; a test reads {@link #serverProperties}. */
  EmbeddedCluster(Path dir, int size, boolean deleteOnClose) {
    this(dir, size, deleteOnClose, null);
  }

  EmbeddedCluster(Path dir, int size, boolean deleteOnClose, ExtraListener extraListener) {
    if (extraListener != null && extraListener.ports().size() != size) {
      throw new IllegalArgumentException(
          "the extra listener "
              + extraListener.name()
              + " has "
              + extraListener.ports().size()
              + " ports for "
              + size
              + " nodes");
    }
    this.dir = dir;
    this.size = size;
    this.deleteOnClose = deleteOnClose;
    this.extraListener = extraListener;
    this.clusterId = Uuid.randomUuid().toString();
    this.brokerPorts = new int[size];
    this.controllerPorts = new int[size];
    this.processes = new Process[size];
  }

  /**
   * Starts a cluster of {@code nodes} nodes with its data in a temporary directory, deleted on
   * close.
   */
  public static EmbeddedCluster startTemporary(int nodes) throws IOException {
    return start(Files.createTempDirectory("sidetrack-cluster-"), nodes, true);
  }

  /**
   * Starts a cluster of {@code nodes} nodes (1 to {@value #MAX_NODES}) and waits until its quorum
   * has a leader and every node is a registered broker.
   *
   * @param dir where the nodes keep their data and logs; must be empty or not exist yet
   * @param deleteOnClose whether {@link #close()} deletes {@code dir}
   * @throws IllegalStateException when the cluster is not ready within {@link #READY_TIMEOUT} (the
   *     message names the node and its log)
   */
  public static EmbeddedCluster start(Path dir, int nodes, boolean deleteOnClose)
      throws IOException {
    return start(dir, nodes, deleteOnClose, null);
  }

  /**
   * As {@link #start(Path, int, boolean)}, every node with a second client listener (see {@link
   * ExtraListener}; {@code null}: none). The extra listener's ports are the caller's and stay the
   * same when a taken port makes the cluster start over on other ports.
   */
  public static EmbeddedCluster start(
      Path dir, int nodes, boolean deleteOnClose, ExtraListener extraListener) throws IOException {
    requireNonNull(dir, "dir");
    if (nodes < 1 || nodes > MAX_NODES) {
      throw new IllegalArgumentException(
          "a cluster has 1 to " + MAX_NODES + " nodes, not " + nodes);
    }
    Files.createDirectories(dir);
    EmbeddedCluster cluster = new EmbeddedCluster(dir, nodes, deleteOnClose, extraListener);
    try {
      cluster.startAll();
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /**
   * Picks the ports, starts every node and waits; when a port was taken by someone else between the
   * pick and the bind, starts over with other ports (the voters' addresses are fixed at start, so
   * one node cannot move alone).
   */
  private void startAll() throws IOException {
    for (int attempt = 1; ; attempt++) {
      for (int i = 0; i < size; i++) {
        brokerPorts[i] = Ports.free();
        controllerPorts[i] = Ports.free();
      }
      for (int id = 1; id <= size; id++) {
        launch(id);
      }
      try {
        awaitReady(READY_TIMEOUT);
        LOG.info(
            "Kafka cluster of {} nodes ready at {} (data in {})", size, bootstrapServers(), dir);
        return;
      } catch (PortTakenException e) {
        if (attempt == START_ATTEMPTS) {
          throw new IllegalStateException(e.getMessage(), e);
        }
        LOG.info("{}; starting again on other ports", e.getMessage());
        stopAll(Duration.ZERO);
        for (int id = 1; id <= size; id++) {
          Directories.deleteRecursively(nodeDir(id));
        }
      }
    }
  }

  /** Where clients connect: every node's {@code 127.0.0.1:port}, comma-separated. */
  public String bootstrapServers() {
    List<String> all = new ArrayList<>();
    for (int id = 1; id <= size; id++) {
      all.add(bootstrapServer(id));
    }
    return String.join(",", all);
  }

  /** Node {@code nodeId}'s client listener, {@code 127.0.0.1:port}. */
  public String bootstrapServer(int nodeId) {
    return "127.0.0.1:" + brokerPorts[index(nodeId)];
  }

  /** How many nodes the cluster has; their ids are 1 to this. */
  public int size() {
    return size;
  }

  /** The process id of node {@code nodeId}'s JVM (the last one started). */
  public long pid(int nodeId) {
    return processes[index(nodeId)].pid();
  }

  /** Whether node {@code nodeId}'s JVM is running. */
  public boolean isAlive(int nodeId) {
    Process p = processes[index(nodeId)];
    return p != null && p.isAlive();
  }

  /** Node {@code nodeId}'s output (its warnings and errors), appended to across restarts. */
  public Path log(int nodeId) {
    return dir.resolve("node-" + nodeId + ".log");
  }

  /**
   * Kills node {@code nodeId}'s JVM with {@code SIGKILL}, as {@code kill -9} does, and waits until
   * it is gone. Its data stays for {@link #restart}.
   */
  public void kill(int nodeId) throws InterruptedException {
    Process p = processes[index(nodeId)];
    p.destroyForcibly();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          "Kafka node " + nodeId + " (pid " + p.pid() + ") survived SIGKILL");
    }
    LOG.info("Killed Kafka node {} (pid {})", nodeId, p.pid());
  }

  /**
   * Starts node {@code nodeId} again, on its ports and data, after {@link #kill} (or a crash), and
   * waits until every node is a registered broker again.
   *
   * @throws IllegalStateException when it is still running, or not back within {@link
   *     #READY_TIMEOUT}
   */
  public void restart(int nodeId) throws IOException {
    if (isAlive(nodeId)) {
      throw new IllegalStateException("Kafka node " + nodeId + " is running: kill it first");
    }
    launch(nodeId);
    awaitAnswers(nodeId, READY_TIMEOUT);
    awaitReady(READY_TIMEOUT);
    LOG.info("Kafka node {} restarted (pid {})", nodeId, pid(nodeId));
  }

  /**
   * Starts again every node that is not running (after {@link #kill} of several, or of all: a whole
   * cluster down), all at once since a quorum needs a majority of them, and waits until every node
   * is a registered broker that serves clients.
   *
   * @throws IllegalStateException when they are not back within {@link #READY_TIMEOUT}
   */
  public void restartStopped() throws IOException {
    List<Integer> started = new ArrayList<>();
    for (int id = 1; id <= size; id++) {
      if (!isAlive(id)) {
        launch(id);
        started.add(id);
      }
    }
    for (int id : started) {
      awaitAnswers(id, READY_TIMEOUT);
    }
    awaitReady(READY_TIMEOUT);
    if (!started.isEmpty()) {
      LOG.info("Kafka nodes {} restarted", started);
    }
  }

  private void launch(int nodeId) throws IOException {
    Path nodeDir = Files.createDirectories(nodeDir(nodeId));
    Path properties = nodeDir.resolve("server.properties");
    Properties props = new Properties();
    props.putAll(serverProperties(nodeId));
    try (Writer out = Files.newBufferedWriter(properties, StandardCharsets.UTF_8)) {
      props.store(out, "Kafka node " + nodeId + " of an EmbeddedCluster");
    }
    Path logConfig = writeLogConfig();
    Path argFile = dir.resolve("classpath.args");
    if (!Files.exists(argFile)) {
      Files.writeString(
          argFile,
          "-cp " + quote(System.getProperty("java.class.path")) + "\n",
          StandardCharsets.UTF_8);
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // C1 only: a node starts on a fraction of the CPU C2 takes, which matters on a laptop
    // starting three of them beside the rest of the stack; plenty for a local cluster's load
    command.addAll(List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    command.add("-Dlog4j2.configurationFile=" + logConfig);
    command.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
    command.add("@" + argFile);
    command.add(ClusterNodeMain.class.getName());
    command.add(properties.toString());
    command.add(clusterId);
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log(nodeId).toFile()));
    // stdin stays a pipe: the node exits when it ends, i.e. when this JVM is gone
    processes[index(nodeId)] = pb.start();
    LOG.info(
        "Started Kafka node {} (pid {}) on {}, controller port {}",
        nodeId,
        pid(nodeId),
        bootstrapServer(nodeId),
        controllerPorts[index(nodeId)]);
  }

  /** The settings of node {@code nodeId}. */
  Map<String, String> serverProperties(int nodeId) {
    int i = index(nodeId);
    int replication = Math.min(3, size);
    int minIsr = Math.max(1, replication - 1);
    String voters =
        java.util.stream.IntStream.rangeClosed(1, size)
            .mapToObj(id -> id + "@127.0.0.1:" + controllerPorts[id - 1])
            .collect(Collectors.joining(","));
    Map<String, String> props = new TreeMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", Integer.toString(nodeId));
    props.put("controller.quorum.voters", voters);
    String listeners =
        "PLAINTEXT://127.0.0.1:" + brokerPorts[i] + ",CONTROLLER://127.0.0.1:" + controllerPorts[i];
    String advertised = "PLAINTEXT://127.0.0.1:" + brokerPorts[i];
    String protocols = "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT";
    if (extraListener != null) {
      String name = extraListener.name();
      listeners += "," + name + "://127.0.0.1:" + extraListener.ports().get(i);
      advertised += "," + name + "://" + extraListener.advertised().get(i);
      protocols += "," + name + ":PLAINTEXT";
    }
    props.put("listeners", listeners);
    props.put("advertised.listeners", advertised);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("listener.security.protocol.map", protocols);
    props.put("log.dirs", nodeDir(nodeId).resolve("data").toString());
    props.put("default.replication.factor", Integer.toString(replication));
    props.put("min.insync.replicas", Integer.toString(minIsr));
    props.put("offsets.topic.replication.factor", Integer.toString(replication));
    props.put("offsets.topic.num.partitions", "4");
    props.put("transaction.state.log.replication.factor", Integer.toString(replication));
    props.put("transaction.state.log.min.isr", Integer.toString(minIsr));
    props.put("transaction.state.log.num.partitions", "4");
    props.put("share.coordinator.state.topic.replication.factor", Integer.toString(replication));
    props.put("share.coordinator.state.topic.min.isr", Integer.toString(minIsr));
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("num.partitions", "1");
    props.put("auto.create.topics.enable", "false");
    props.put("unclean.leader.election.enable", "false");
    props.put("log.cleaner.backoff.ms", "1000");
    return props;
  }

  private Path writeLogConfig() throws IOException {
    Path file = dir.resolve("log4j2.properties");
    if (!Files.exists(file)) {
      Files.writeString(
          file,
          String.join(
              "\n",
              "status = warn",
              "appender.out.type = Console",
              "appender.out.name = out",
              "appender.out.layout.type = PatternLayout",
              "appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5p [%c{1}] %m%n",
              "rootLogger.level = warn",
              "rootLogger.appenderRef.out.ref = out",
              "logger.sidetrack.name = io.sidetrack",
              "logger.sidetrack.level = info",
              ""),
          StandardCharsets.UTF_8);
    }
    return file;
  }

  /** A path quoted for a java launcher argument file. */
  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /**
   * Waits until the quorum has a leader and all nodes are registered, unfenced brokers.
   *
   * @throws IllegalStateException on timeout, or when a node's JVM exits meanwhile
   */
  public void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    String state = "no answer yet";
    try (Admin admin = Admin.create(props)) {
      while (true) {
        checkAlive();
        try {
          QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(5, TimeUnit.SECONDS);
          Set<Integer> brokers =
              admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream()
                  .map(Node::id)
                  .collect(Collectors.toSet());
          state = "quorum leader " + quorum.leaderId() + ", brokers " + brokers;
          if (quorum.leaderId() >= 0 && brokers.size() == size) {
            return;
          }
        } catch (java.util.concurrent.ExecutionException
            | java.util.concurrent.TimeoutException e) {
          state = e.getCause() == null ? e.toString() : e.getCause().toString();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the Kafka cluster");
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Kafka cluster of "
                  + size
                  + " nodes not ready after "
                  + timeout.toSeconds()
                  + "s ("
                  + state
                  + "); see the logs in "
                  + dir);
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the Kafka cluster");
        }
      }
    }
  }

  /**
   * Waits until node {@code nodeId} itself serves clients: until a node is fenced, the others still
   * list it as a broker after it was killed.
   */
  private void awaitAnswers(int nodeId, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServer(nodeId));
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    try (Admin admin = Admin.create(props)) {
      while (true) {
        checkAlive();
        try {
          admin.describeCluster().clusterId().get(5, TimeUnit.SECONDS);
          return;
        } catch (java.util.concurrent.ExecutionException
            | java.util.concurrent.TimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "Kafka node "
                    + nodeId
                    + " not serving after "
                    + timeout.toSeconds()
                    + "s; see "
                    + log(nodeId));
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for Kafka node " + nodeId);
        }
      }
    }
  }

  /** Fails when a node that should be running has exited. */
  private void checkAlive() {
    for (int id = 1; id <= size; id++) {
      Process p = processes[index(id)];
      if (p != null && !p.isAlive()) {
        int code = p.exitValue();
        String message =
            "Kafka node "
                + id
                + " exited with "
                + code
                + ": "
                + lastLine(log(id)).orElse("no output")
                + " (log "
                + log(id)
                + ")";
        if (code == ClusterNodeMain.EXIT_PORT_TAKEN) {
          throw new PortTakenException(message);
        }
        throw new IllegalStateException(message);
      }
    }
  }

  private static java.util.Optional<String> lastLine(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (lines.get(i).startsWith("Kafka node failed")) {
          return java.util.Optional.of(lines.get(i));
        }
      }
      return lines.isEmpty()
          ? java.util.Optional.empty()
          : java.util.Optional.of(lines.get(lines.size() - 1));
    } catch (IOException | UncheckedIOException e) {
      return java.util.Optional.empty();
    }
  }

  private Path nodeDir(int nodeId) {
    return dir.resolve("node-" + nodeId);
  }

  private int index(int nodeId) {
    if (nodeId < 1 || nodeId > size) {
      throw new IllegalArgumentException(
          "no Kafka node " + nodeId + " (ids are 1 to " + size + ")");
    }
    return nodeId - 1;
  }

  /**
   * Stops every node: {@code SIGTERM} (a clean shutdown) to all at once, {@code SIGKILL} to those
   * still running after {@link #STOP_GRACE}; then deletes the data if asked at start.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopAll(STOP_GRACE);
    if (deleteOnClose) {
      Directories.deleteRecursively(dir);
    }
  }

  private void stopAll(Duration grace) {
    for (Process p : processes) {
      if (p != null && p.isAlive()) {
        if (grace.isZero()) {
          p.destroyForcibly();
        } else {
          p.destroy();
        }
      }
    }
    long deadline = System.nanoTime() + grace.toNanos();
    for (Process p : processes) {
      if (p == null) {
        continue;
      }
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
          p.destroyForcibly();
          p.waitFor(30, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A node could not bind a port picked for it: someone else took it meanwhile. */
  private static final class PortTakenException extends IllegalStateException {
    PortTakenException(String message) {
      super(message);
    }
  }
}
