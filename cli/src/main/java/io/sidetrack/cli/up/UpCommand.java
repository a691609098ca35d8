package io.sidetrack.cli.up;

import io.sidetrack.cli.admin.acl.Component;
import io.sidetrack.cli.context.Context;
import io.sidetrack.cli.context.ContextFile;
import io.sidetrack.cli.keys.KeyFiles;
import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.edge.EdgeAgent;
import io.sidetrack.edge.EdgeAgentConfig;
import io.sidetrack.embedded.Directories;
import io.sidetrack.embedded.EmbeddedCluster;
import io.sidetrack.embedded.EmbeddedKafka;
import io.sidetrack.embedded.EmbeddedSchemaRegistry;
import io.sidetrack.router.Router;
import io.sidetrack.router.RouterConfig;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.stream.RegistryStreamApp;
import io.sidetrack.stream.RegistryStreamConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sidetrack up}: the whole stack on this machine, in the foreground, on real parts: an
 * Apache Kafka broker (KRaft) in this process (or, with {@code --brokers 3}, a cluster of three
 * nodes, each its own JVM), Apicurio Registry as a child process, registry-stream, a router, and a
 * demo workload behind an edge agent. Its state lives until it stops.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Start Sidetrack on this machine in the foreground: a real Kafka broker (KRaft,"
          + " in-process), a real schema registry (Apicurio, child process), registry-stream, a"
          + " router, and a demo workload named 'demo' behind an edge agent.",
      "A second workload, 'frontend', calls demo under the OpenTelemetry Java agent, and its"
          + " GET /order?item=X produces a record to the topic "
          + UpCommand.DEMO_TOPIC
          + ", which demo consumes with Sidetrack's consumer interceptor (GET /processed on demo"
          + " lists what it processed): 'sidetrack intercept demo --port N --topic "
          + UpCommand.DEMO_TOPIC
          + "' makes it skip your records.",
      "Creates a token for you in $SIDETRACK_HOME/tokens, so 'sidetrack intercept demo --port N'"
          + " works at once.",
      "Prints where each listens and records it in $SIDETRACK_HOME/context.json. Ctrl-C stops"
          + " everything and deletes its data.",
      "--brokers 3 runs Kafka as a real cluster of three processes instead, and prints each"
          + " node's pid: kill -9 one to watch routing and new intercepts carry on."
    })
public final class UpCommand implements Callable<Integer> {
  /** The demo workload's name. */
  public static final String DEMO = "demo";

  /** The second demo workload, which calls {@link #DEMO}. */
  public static final String FRONTEND = "frontend";

  /**
   * The demo's topic: {@link #FRONTEND} produces a record to it per {@code GET /order?item=X},
   * {@link #DEMO} consumes it with Sidetrack's consumer interceptor.
   */
  public static final String DEMO_TOPIC = "demo.orders";

  /** The frontend's Kafka client settings, in the run's data directory. */
  private static final String FRONTEND_KAFKA_SETTINGS = "frontend-kafka.properties";

  @Spec CommandSpec spec;

  @EnvVar
  @Option(
      names = "--kafka-port",
      defaultValue = "9092",
      description = "Kafka client port; 0 picks a free one.")
  int kafkaPort;

  @EnvVar
  @Option(
      names = "--brokers",
      defaultValue = "1",
      paramLabel = "N",
      description =
          "Kafka nodes: 1 (default) runs one broker inside this process; 2 to "
              + EmbeddedCluster.MAX_NODES
              + " run a real cluster, each node a JVM of its own (KRaft broker and controller,"
              + " free loopback ports, about 350 MB each). With 3, Sidetrack's topics and"
              + " Kafka's internal ones get replication factor 3 and min.insync.replicas 2, so"
              + " 'kill -9' of any one node (pids printed) loses no intercept. --kafka-port"
              + " applies to the single broker only. Not with --secure.")
  int brokers;

  @EnvVar
  @Option(
      names = "--broker-restart-delay",
      defaultValue = "15s",
      paramLabel = "DURATION",
      description =
          "With --brokers 2 or more: a node that died (kill -9) is started again this long after,"
              + " on its data, as a StatefulSet would; 0s never (default ${DEFAULT-VALUE}).")
  Duration brokerRestartDelay;

  @EnvVar
  @Option(
      names = "--registry-port",
      defaultValue = "8081",
      description = "Schema registry port; 0 picks a free one.")
  int registryPort;

  @EnvVar
  @Option(
      names = "--api-port",
      defaultValue = "8090",
      description = "registry-stream query API port; 0 picks a free one.")
  int apiPort;

  @EnvVar
  @Option(
      names = "--router-port",
      defaultValue = "8070",
      description = "Port developers' CLIs reach the router at; 0 picks a free one.")
  int routerPort;

  @EnvVar
  @Option(
      names = "--preview-port",
      defaultValue = "8072",
      description =
          "Port of the router's preview listener: 'sidetrack intercept demo --port N --preview'"
              + " prints http://<code>.preview.localhost:<this port>/, which browsers and curl"
              + " resolve to this machine; 0 picks a free one.")
  int previewPort;

  @EnvVar
  @Option(
      names = "--demo-port",
      defaultValue = "8088",
      description = "Port of the demo workload (its edge agent); 0 picks a free one.")
  int demoPort;

  @EnvVar
  @Option(
      names = "--frontend-port",
      defaultValue = "8089",
      description =
          "Port of the second demo workload, 'frontend' (its edge agent), which calls demo"
              + " through demo's edge agent under the OpenTelemetry Java agent; 0 picks a free"
              + " one.")
  int frontendPort;

  @EnvVar
  @Option(
      names = "--partitions",
      defaultValue = "6",
      description = "Partitions of Sidetrack's topics.")
  int partitions;

  @EnvVar
  @Option(
      names = "--secure",
      defaultValue = "false",
      description =
          "Secure the stack. Kafka: the broker takes only SASL/SCRAM-SHA-512 clients over TLS"
              + " (SASL_SSL) and allows nothing without an ACL (StandardAuthorizer); each component runs as its own SCRAM"
              + " user (random password, client settings in"
              + " $SIDETRACK_HOME/kafka/<component>.properties, mode 0600, deleted on stop) with"
              + " only the ACLs of 'sidetrack acl show'. TLS: a new local CA in $SIDETRACK_HOME/tls"
              + " signs the router's https/wss certificate, its relay's (mutual TLS: agents present"
              + " certificates it signed), the agents' and the Kafka broker's; the context names the CA so the CLI"
              + " trusts the router. The schema registry stays open.")
  boolean secure;

  /** The Kafka users of {@code --secure}; {@code null} without it. */
  private SecureKafka secureKafka;

  /** The certificates of --secure, or null. */
  private LocalTls tls;

  /** The cluster of {@code --brokers} 2 or more, or null. */
  private EmbeddedCluster cluster;

  /** Stopped by the shutdown hook while {@link #call()} may still be starting parts. */
  private final StartedComponents running = new StartedComponents();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path home = ContextFile.home();
    checkBrokers();
    refuseIfAlreadyUp(home);
    if (brokers == 1) {
      checkPortFree("--kafka-port", kafkaPort);
    }
    checkPortFree("--registry-port", registryPort);
    checkPortFree("--api-port", apiPort);
    checkPortFree("--router-port", routerPort);
    checkPortFree("--preview-port", previewPort);
    checkPortFree("--demo-port", demoPort);
    checkPortFree("--frontend-port", frontendPort);
    int demoAgentPort = demoPort == 0 ? io.sidetrack.embedded.Ports.free() : demoPort;
    Path run = Files.createDirectories(home.resolve("run"));
    Path data = Files.createTempDirectory(run, "up-");
    Path logs = Files.createDirectories(home.resolve("logs"));
    long pid = ProcessHandle.current().pid();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println();
                  out.println("Stopping...");
                  out.flush();
                  stopAll();
                  deleteKafkaUsers();
                  ContextFile.removeIfOwnedBy(home, pid);
                  Directories.deleteRecursively(data);
                  out.println("Stopped.");
                  out.flush();
                  stopped.countDown();
                },
                "sidetrack-up-stop"));

    try {
      tls = secure ? LocalTls.create(home.resolve("tls")) : null;
      // The frontend's JVM starts with the OpenTelemetry agent, which takes seconds: at once.
      Optional<Path> javaagent = FrontendProcess.javaagent();
      FrontendProcess frontend =
          javaagent.isEmpty()
              ? null
              : running.start(
                  () ->
                      FrontendProcess.start(
                          javaagent.get(),
                          "http://127.0.0.1:" + demoAgentPort,
                          data.resolve(FRONTEND_KAFKA_SETTINGS),
                          DEMO_TOPIC,
                          logs.resolve("frontend.log")));
      String bootstrapServers = startKafka(out, home, data);
      EmbeddedSchemaRegistry registry =
          step(
              out,
              "Schema registry (Apicurio, child process)",
              () ->
                  EmbeddedSchemaRegistry.start(logs.resolve("schema-registry.log"), registryPort));
      LocalRouterKeys routerKeys = LocalRouterKeys.ensure(home.resolve("keys"));
      RegistryStreamConfig config =
          RegistryStreamConfig.builder(bootstrapServers, SchemaRegistryConfig.of(registry.url()))
              .stateDir(data.resolve("streams"))
              .listen("127.0.0.1", apiPort)
              .partitions(partitions)
              // the brokers' default.replication.factor: 1 on one broker, 3 on the cluster
              .replicationFactor(RegistryStreamConfig.DEFAULT_REPLICATION_FACTOR)
              .kafkaProperties(kafkaProperties(Component.REGISTRY_STREAM))
              .trustedRouters(routerKeys.trusted())
              .build();
      RegistryStreamApp stream =
          step(out, "registry-stream", () -> RegistryStreamApp.start(config));
      awaitReady(stream);
      DemoOrderConsumer orders =
          step(
              out,
              "demo's consumer of " + DEMO_TOPIC + " (with Sidetrack's consumer interceptor)",
              () -> {
                Map<String, String> demoKafka = demoKafkaProperties(bootstrapServers);
                DemoTopic.create(demoKafka, DEMO_TOPIC);
                DemoTopic.writeSettings(demoKafka, data.resolve(FRONTEND_KAFKA_SETTINGS));
                return DemoOrderConsumer.start(
                    DemoOrderConsumer.settings(
                        demoKafka,
                        DEMO,
                        registry.url(),
                        home.resolve("keys").resolve(KeyFiles.PUBLIC).toString()),
                    DEMO_TOPIC);
              });
      DemoWorkload demo = step(out, "demo workload", () -> DemoWorkload.start(orders::processed));
      EdgeAgent agent =
          step(
              out,
              "edge agent of demo",
              () ->
                  EdgeAgent.start(
                      secured(
                          EdgeAgentConfig.of(
                                  DEMO,
                                  "127.0.0.1",
                                  demoAgentPort,
                                  "127.0.0.1",
                                  demo.port(),
                                  bootstrapServers,
                                  SchemaRegistryConfig.of(registry.url()))
                              .withKafkaProperties(kafkaProperties(Component.EDGE_AGENT))
                              .withTrustedRouters(routerKeys.trusted()))));
      EdgeAgent frontendAgent = null;
      if (frontend == null) {
        out.println(
            "Skipping the frontend demo workload: the OpenTelemetry Java agent is not at "
                + FrontendProcess.javaagent()
                    .map(Path::toString)
                    .orElse("javaagent/ beside the CLI")
                + " (rebuild, or set "
                + FrontendProcess.JAVAAGENT_ENV
                + ")");
      } else {
        step(
            out,
            "frontend demo workload (child JVM, OpenTelemetry Java agent)",
            () -> {
              frontend.awaitReady(Duration.ofSeconds(120));
              return () -> {};
            });
        frontendAgent =
            step(
                out,
                "edge agent of frontend",
                () ->
                    EdgeAgent.start(
                        secured(
                            EdgeAgentConfig.of(
                                    FRONTEND,
                                    "127.0.0.1",
                                    frontendPort,
                                    "127.0.0.1",
                                    frontend.port(),
                                    bootstrapServers,
                                    SchemaRegistryConfig.of(registry.url()))
                                .withKafkaProperties(kafkaProperties(Component.EDGE_AGENT))
                                .withTrustedRouters(routerKeys.trusted()))));
      }
      List<String> previewUpstreams =
          new java.util.ArrayList<>(List.of(DEMO + "=http://127.0.0.1:" + agent.port()));
      if (frontendAgent != null) {
        previewUpstreams.add(FRONTEND + "=http://127.0.0.1:" + frontendAgent.port());
      }
      RouterConfig.Preview preview =
          new RouterConfig.Preview(
              "127.0.0.1",
              previewPort,
              RouterConfig.Preview.DEFAULT_DOMAIN,
              RouterConfig.Preview.upstreams(previewUpstreams));
      String identity = LocalTokens.localIdentity();
      String token = LocalTokens.ensure(home.resolve("tokens"), identity);
      Router router =
          step(
              out,
              "router",
              () ->
                  Router.start(
                      secured(
                          RouterConfig.of(
                                  bootstrapServers,
                                  SchemaRegistryConfig.of(registry.url()),
                                  home.resolve("tokens"))
                              .withPorts(routerPort, 0, null)
                              .withPreview(preview)
                              .withKafkaProperties(kafkaProperties(Component.ROUTER))
                              .withSigning(routerKeys.signing()))));
      awaitRouterSeesAgent(router, agent, DEMO);
      if (frontendAgent != null) {
        awaitRouterSeesAgent(router, frontendAgent, FRONTEND);
      }

      Context context =
          new Context(
              bootstrapServers,
              registry.url(),
              stream.url(),
              "",
              router.url(),
              token,
              "http://127.0.0.1:" + agent.port(),
              frontendAgent == null ? "" : "http://127.0.0.1:" + frontendAgent.port(),
              pid,
              Instant.now(),
              tls == null ? "" : tls.ca().toString());
      ContextFile.write(home, context);
      printSummary(out, context, home, logs, identity, router.previewPort());
    } catch (Exception e) {
      stopAll();
      deleteKafkaUsers();
      Directories.deleteRecursively(data);
      throw e;
    }
    stopped.await();
    return 0;
  }

  /**
   * {@code --brokers} is 1 to {@link EmbeddedCluster#MAX_NODES}, and a cluster is not secured.
   *
   * @throws ParameterException otherwise (a usage error)
   */
  private void checkBrokers() {
    if (brokers < 1 || brokers > EmbeddedCluster.MAX_NODES) {
      throw new ParameterException(
          spec.commandLine(),
          "invalid --brokers "
              + brokers
              + " (1 to "
              + EmbeddedCluster.MAX_NODES
              + "; 3 for failover)");
    }
    if (brokerRestartDelay.isNegative()) {
      throw new ParameterException(
          spec.commandLine(),
          "invalid --broker-restart-delay " + brokerRestartDelay + " (0s or more)");
    }
    if (brokers > 1 && secure) {
      throw new ParameterException(
          spec.commandLine(),
          "--brokers "
              + brokers
              + " does not combine with --secure: the cluster's nodes speak"
              + " PLAINTEXT; use one or the other");
    }
  }

  /**
   * Kafka, and its bootstrap servers: the embedded broker, open or with {@code --secure}
   * SASL/SCRAM, ACLs and a user per part; or with {@code --brokers} N a cluster of N processes.
   */
  private String startKafka(PrintWriter out, Path home, Path data) throws Exception {
    if (brokers > 1) {
      cluster =
          step(
              out,
              "Kafka cluster (" + brokers + " KRaft nodes, one JVM each)",
              () -> EmbeddedCluster.start(data.resolve("kafka"), brokers, false));
      if (brokerRestartDelay.compareTo(Duration.ZERO) > 0) {
        running.start(() -> ClusterSupervisor.start(cluster, brokerRestartDelay, out));
      }
      return cluster.bootstrapServers();
    }
    if (!secure) {
      return step(
              out,
              "Kafka broker (KRaft, in-process)",
              () -> EmbeddedKafka.start(data.resolve("kafka"), kafkaPort, false))
          .bootstrapServers();
    }
    secureKafka = SecureKafka.generate(home, tls.kafkaTls());
    EmbeddedKafka kafka =
        step(
            out,
            "Kafka broker (KRaft, in-process, SASL/SCRAM over TLS, and ACLs)",
            () ->
                EmbeddedKafka.startSecure(
                    data.resolve("kafka"),
                    kafkaPort,
                    false,
                    secureKafka.admin(),
                    secureKafka.tls()));
    step(
        out,
        "Kafka users and ACLs",
        () -> {
          secureKafka.apply(kafka.bootstrapServers());
          return () -> {};
        });
    return kafka.bootstrapServers();
  }

  /**
   * The demo apps' own Kafka client settings: the bootstrap servers and, with {@code --secure}, the
   * admin's login (the ACLs of {@code sidetrack acl} cover Sidetrack's components, not apps).
   */
  private Map<String, String> demoKafkaProperties(String bootstrapServers) {
    Map<String, String> p = new java.util.HashMap<>(kafkaProperties(Component.ADMIN));
    p.put("bootstrap.servers", bootstrapServers);
    return p;
  }

  /** A component's Kafka client settings: its SCRAM login with {@code --secure}, else none. */
  private Map<String, String> kafkaProperties(Component component) {
    return secureKafka == null ? Map.of() : secureKafka.clientProperties(component);
  }

  private void deleteKafkaUsers() {
    if (secureKafka != null) {
      secureKafka.deleteFiles();
    }
  }

  private void printKafkaSecurity(PrintWriter out) {
    if (secureKafka == null) {
      return;
    }
    out.printf(
        "  %-22s SASL/SCRAM-SHA-512 over TLS (SASL_SSL) and ACLs; each component has its own"
            + " user%n",
        "Kafka security");
    out.printf(
        "  %-22s %s (audit, replay, explain: --kafka-config %s)%n",
        "Kafka client settings",
        secureKafka.propertiesFile(Component.ADMIN).getParent(),
        secureKafka.propertiesFile(Component.AUDIT_READER));
  }

  /** With {@code --brokers} N: each node's address and pid, and how to kill one. */
  private void printCluster(PrintWriter out) {
    if (cluster == null) {
      return;
    }
    for (int id = 1; id <= cluster.size(); id++) {
      out.printf(
          "  %-22s %s, pid %d (log %s)%n",
          "Kafka node " + id, cluster.bootstrapServer(id), cluster.pid(id), cluster.log(id));
    }
    out.printf(
        "  %-22s kill -9 %d   # one node down: routing and new intercepts carry on%s%n",
        "Try failover",
        cluster.pid(1),
        brokerRestartDelay.isZero()
            ? ""
            : "; it starts again " + brokerRestartDelay.toSeconds() + "s later");
  }

  /** An agent of --secure verifies routers and presents its client certificate. */
  private EdgeAgentConfig secured(EdgeAgentConfig config) {
    return tls == null ? config : config.withRouterTls(tls.agentTls());
  }

  /** The router of --secure serves https/wss and requires agents' certificates on its relay. */
  private RouterConfig secured(RouterConfig config) {
    return tls == null ? config : config.withTls(tls.routerTls());
  }

  private <T extends AutoCloseable> T step(
      PrintWriter out, String what, StartedComponents.Starter<T> starter) throws Exception {
    out.print("Starting " + what + "... ");
    out.flush();
    long t0 = System.nanoTime();
    T started = running.start(starter);
    out.printf("ready in %.1fs%n", (System.nanoTime() - t0) / 1e9);
    out.flush();
    return started;
  }

  /** A demo workload is interceptable once the router saw its agent's first heartbeat. */
  private static void awaitRouterSeesAgent(Router router, EdgeAgent agent, String workload)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!router.view().ready()
        || !agent.routes().caughtUp()
        || router.view().liveAgents(workload).isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the router saw no heartbeat of the " + workload + " agent in 60s");
      }
      Thread.sleep(50);
    }
  }

  private static void awaitReady(RegistryStreamApp stream) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (stream.streams().state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "registry-stream not running after 60s (state " + stream.streams().state() + ")");
      }
      Thread.sleep(100);
    }
  }

  private void printSummary(
      PrintWriter out, Context c, Path home, Path logs, String identity, int previewListen) {
    out.println();
    out.println(secureKafka == null ? "Sidetrack is up." : "Sidetrack is up, Kafka secured.");
    out.printf("  %-22s %s%n", "Kafka bootstrap", c.bootstrapServers());
    out.printf("  %-22s %s%n", "Schema registry", c.schemaRegistryUrl());
    out.printf("  %-22s %s%n", "registry-stream API", c.registryStreamUrl());
    out.printf("  %-22s %s%n", "Router", c.routerUrl());
    if (previewListen > 0) {
      out.printf(
          "  %-22s http://<code>.%s:%d/ (intercept ... --preview)%n",
          "Preview URLs", RouterConfig.Preview.DEFAULT_DOMAIN, previewListen);
    }
    out.printf("  %-22s %s (its edge agent)%n", "Demo workload", c.demoUrl());
    if (!c.frontendUrl().isEmpty()) {
      out.printf(
          "  %-22s %s (its edge agent; it calls demo, carrying baggage)%n",
          "Frontend workload", c.frontendUrl());
    }
    out.printf(
        "  %-22s %s (frontend's GET /order?item=X produces; demo consumes it with Sidetrack's"
            + " interceptor and lists what it processed at %s%s)%n",
        "Demo topic", DEMO_TOPIC, c.demoUrl(), DemoWorkload.PROCESSED_PATH);
    out.printf("  %-22s %s (token of %s)%n", "Tokens", home.resolve("tokens"), identity);
    out.printf("  %-22s %s%n", "Context", ContextFile.path(home));
    if (!c.routerCa().isEmpty()) {
      out.printf("  %-22s %s (the CLI trusts it through the context)%n", "Router CA", c.routerCa());
    }
    out.printf("  %-22s %s%n", "Logs", logs);
    printKafkaSecurity(out);
    printCluster(out);
    out.println();
    out.println("Try it, in another terminal:");
    out.println("  curl " + c.demoUrl() + "/hello                      # the cluster answers");
    out.println("  python3 -m http.server 3000 &                        # your 'laptop' app");
    out.println("  bin/sidetrack intercept demo --port 3000");
    out.println(
        "  curl -H 'x-sidetrack-id: " + identity + "' " + c.demoUrl() + "/   # your app answers");
    out.println(
        "  bin/sidetrack intercept demo --port 3000 --preview   # a URL for your browser instead");
    if (!c.frontendUrl().isEmpty()) {
      out.println(
          "  curl -H 'x-sidetrack-id: "
              + identity
              + "' "
              + c.frontendUrl()
              + "/   # frontend calls your app: the id travels as baggage");
      out.println(
          "  bin/sidetrack intercept demo --port 3000 --topic "
              + DEMO_TOPIC
              + "; curl -H 'x-sidetrack-id: "
              + identity
              + "' '"
              + c.frontendUrl()
              + FrontendApp.ORDER_PATH
              + "?item=book'   # a record demo's consumer skips: curl "
              + c.demoUrl()
              + DemoWorkload.PROCESSED_PATH);
    }
    out.println();
    out.println("Press Ctrl-C to stop.");
    out.flush();
  }

  private void stopAll() {
    running.close();
  }

  private static void refuseIfAlreadyUp(Path home) throws IOException {
    Optional<Context> existing;
    try {
      existing = ContextFile.read(home);
    } catch (IOException e) {
      return; // an unreadable context is overwritten
    }
    if (existing.isPresent()
        && ProcessHandle.of(existing.get().pid()).map(ProcessHandle::isAlive).orElse(false)) {
      throw new IllegalStateException(
          "sidetrack up is already running (pid "
              + existing.get().pid()
              + ", "
              + ContextFile.path(home)
              + "); stop it first");
    }
  }

  private static void checkPortFree(String flag, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
    } catch (IOException e) {
      throw new IllegalStateException(
          "port " + port + " is in use: pass " + flag + " 0 for a free port, or another port");
    }
  }
}
