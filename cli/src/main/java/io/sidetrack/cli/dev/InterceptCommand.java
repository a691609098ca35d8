package io.sidetrack.cli.dev;

import io.sidetrack.cli.MatchOptions;
import io.sidetrack.cli.tunnel.AppProtocol;
import io.sidetrack.cli.tunnel.TunnelClient;
import io.sidetrack.cli.tunnel.TunnelEvents;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.InterceptValidator;
import io.sidetrack.core.MatchRules;
import io.sidetrack.tunnel.InterceptSpec;
import io.sidetrack.tunnel.PreviewAccess;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sidetrack intercept}: take some of a workload's requests to the app on this machine. */
@Command(
    name = "intercept",
    mixinStandardHelpOptions = true,
    description = {
      "Send the requests to WORKLOAD that match to the app on this machine at --port, through a"
          + " tunnel to the router, until you press Ctrl-C. Everyone else's requests keep going"
          + " to the workload's own pods.",
      "With no --header, --header-regex, --baggage, --any-of, --path-prefix or --global it takes"
          + " requests with header x-sidetrack-id or W3C baggage member sidetrack-id set to your"
          + " identity on the router.",
      "It prints 'active' only once every live edge agent of the workload routes by it, then"
          + " logs each request it relays. If the tunnel drops it reconnects and keeps the same"
          + " intercept.",
      "With --preview it also prints 'Preview URL: ...': a link a browser opens with nothing"
          + " installed; the router adds the intercept's header to every request made through it."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:left (Ctrl-C) or removed with 'sidetrack leave'",
      "1:rejected, or the router is unreachable or refused the token",
      "2:bad flags"
    })
public final class InterceptCommand implements Callable<Integer> {
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  /** A Vert.x instance started while the command line is still being parsed. */
  private static volatile CompletableFuture<Vertx> early;

  /**
   * Starts Vert.x (and with it the logging system) on another thread at once, so that it overlaps
   * with parsing and reading the context: it is most of what stands between Enter and "active".
   */
  public static void startEarly() {
    CompletableFuture<Vertx> f = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                f.complete(Vertx.vertx());
              } catch (Throwable e) {
                f.completeExceptionally(e);
              }
            },
            "sidetrack-start-vertx");
    t.setDaemon(true);
    t.start();
    early = f;
  }

  private static Vertx vertx() throws Exception {
    CompletableFuture<Vertx> f = early;
    return f != null ? f.get() : Vertx.vertx();
  }

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "WORKLOAD", description = "The workload to intercept.")
  String workload;

  @Option(
      names = {"-p", "--port"},
      required = true,
      description = "Port of the app on this machine that serves the intercepted requests.")
  int port;

  @Option(
      names = "--local-host",
      defaultValue = "127.0.0.1",
      description = "Host of that app (default ${DEFAULT-VALUE}).")
  String localHost;

  @Option(
      names = "--app-h2c",
      description =
          "The app on this machine speaks HTTP/2 in clear text only (h2c, prior knowledge): send"
              + " every request to it so. Without it, gRPC calls (content-type application/grpc,"
              + " application/grpc+..., application/grpc;...) go over h2c and everything else"
              + " over HTTP/1.1.")
  boolean appH2c;

  @Mixin MatchOptions match;

  @Option(
      names = {"-t", "--topic"},
      paramLabel = "TOPIC",
      description =
          "A Kafka topic the workload consumes (repeatable): its records whose header"
              + " x-sidetrack-id (or baggage member sidetrack-id, or whatever your rules name)"
              + " matches are yours, and the workload's consumers that run Sidetrack's consumer"
              + " interceptor skip them. Header, baggage and any-of rules only: no --path-prefix,"
              + " --method or --global with it.")
  List<String> topics = new ArrayList<>();

  @io.sidetrack.cli.options.EnvVar
  @Option(
      names = "--local-kafka-port",
      defaultValue = "0",
      description =
          "With --topic: port of the Kafka broker this command starts on this machine, into which"
              + " it writes your records under the same topic names (0, the default: a free port,"
              + " printed). Point your consumers' bootstrap.servers at it.")
  int localKafkaPort;

  @io.sidetrack.cli.options.EnvVar
  @Option(
      names = "--local-kafka",
      paramLabel = "HOST:PORT",
      description =
          "With --topic: write your records into this Kafka broker (one you run already) instead"
              + " of starting one.")
  String localKafka;

  @io.sidetrack.cli.options.EnvVar
  @Option(
      names = "--kafka-direct",
      description =
          "With --topic: your consumers read the topics from the cluster's Kafka themselves, with"
              + " Sidetrack's consumer interceptor in developer mode (the settings are printed);"
              + " the router relays no records and no broker is started here.")
  boolean kafkaDirect;

  @io.sidetrack.cli.options.EnvVar
  @Option(
      names = "--ttl",
      defaultValue = "30s",
      description =
          "Lease: the router renews it every third while the tunnel is up; if this machine"
              + " vanishes, the intercept ends within it.")
  Duration ttl;

  @Option(
      names = "--fail-closed",
      description =
          "When the tunnel is unreachable, agents answer 503 instead of sending the request to"
              + " the workload's own app.")
  boolean failClosed;

  @Option(
      names = "--id",
      description = "Intercept id (default IDENTITY-WORKLOAD-random); reusing one reclaims it.")
  String id;

  @Option(
      names = "--preview",
      description =
          "Ask the router for a preview URL of this intercept and print it: every request to it"
              + " reaches the workload with the intercept's header (and baggage sidetrack-id)"
              + " added, so a browser's page, its relative links and fetch() calls reach this"
              + " machine. Needs a router with a preview listener; without one it warns and the"
              + " intercept works as ever.")
  boolean preview;

  @io.sidetrack.cli.options.EnvVar
  @Option(
      names = "--preview-access",
      defaultValue = "token",
      paramLabel = "public|token",
      description =
          "Who may open the preview URL: 'token' (default ${DEFAULT-VALUE}) a visitor who signs in"
              + " once with a token of the router, 'public' anyone with the link. Given on the"
              + " command line it implies --preview; the variable only sets the mode.")
  String previewAccess;

  @Mixin RouterOptions router;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (port < 1 || port > 65535) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "invalid --port " + port + " (1-65535)");
    }
    if (!InterceptValidator.isValidWorkload(workload)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "invalid WORKLOAD '" + workload + "' (an RFC 1123 label)");
    }
    PreviewAccess access = previewAccess();
    Duration lease = ttl;
    match.rules(List.of()); // malformed flags fail now, before any connection
    for (String topic : topics) {
      String problem = InterceptValidator.topicNameProblem(topic);
      if (problem != null) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), problem.replace("invalid topic name", "invalid --topic"));
      }
    }
    checkKafkaOptions();
    List<String> urls = router.routerUrls();
    String token = router.token();
    io.sidetrack.cli.tunnel.RouterTrust trust = router.trust();
    warnIfNothingListens(err);

    String suffix = UUID.randomUUID().toString().substring(0, 6);
    String[] header = new String[3];
    java.util.function.Function<String, InterceptSpec> specFor =
        owner -> {
          MatchRules rules = match.rulesOrPersonal(owner);
          rules
              .exactHeader()
              .ifPresent(
                  r -> {
                    header[0] = r.name();
                    header[1] = r.value();
                    header[2] =
                        MatchOptions.baggageInstead(rules, r)
                            .map(MatchOptions::baggageMember)
                            .orElse(null);
                  });
          String interceptId = id != null ? id : sanitize(owner) + "-" + workload + "-" + suffix;
          return new InterceptSpec(interceptId, workload, rules, lease, failClosed)
              .withTopics(topics, kafkaDirect);
        };

    java.util.function.Function<String, InterceptSpec> withPreview =
        access == PreviewAccess.NONE
            ? specFor
            : specFor.andThen(
                s ->
                    new InterceptSpec(
                        s.id(),
                        s.workload(),
                        s.match(),
                        s.ttl(),
                        s.failClosed(),
                        access,
                        s.topics(),
                        s.recordsDirect()));

    Vertx vertx = vertx();
    CompletableFuture<Void> leftOnSignal = new CompletableFuture<>();
    Events events = new Events(out, err);
    LocalBroker broker =
        LocalBroker.forRecords(topics, kafkaDirect, localKafka, localKafkaPort, out, events);
    TunnelClient client =
        new TunnelClient(
                vertx,
                urls,
                token,
                withPreview,
                localHost,
                port,
                appH2c ? AppProtocol.H2C : AppProtocol.AUTO,
                events,
                trust)
            .asking(workload, id);
    broker.records().ifPresent(client::records);
    out.printf("Connecting to %s...%n", urls.get(0));
    out.flush();
    Thread leaveOnExit =
        new Thread(
            () -> {
              out.println();
              out.println("Leaving...");
              out.flush();
              try {
                client.leave().toCompletionStage().toCompletableFuture().get(6, TimeUnit.SECONDS);
                out.println("Left: the intercept is removed.");
              } catch (Exception e) {
                err.println("sidetrack: could not confirm leaving; the lease ends it anyway");
              }
              broker.close();
              out.flush();
              err.flush();
              leftOnSignal.complete(null);
            },
            "sidetrack-leave");
    Runtime.getRuntime().addShutdownHook(leaveOnExit);
    String interceptId;
    try {
      interceptId = client.start().toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      if (!leftOnSignal.isDone()) {
        try {
          Runtime.getRuntime().removeShutdownHook(leaveOnExit);
        } catch (IllegalStateException shuttingDown) {
          leftOnSignal.get(7, TimeUnit.SECONDS);
          return 0;
        }
      }
      vertx.close();
      broker.close();
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    }
    out.println();
    if (header[0] != null) {
      String or = header[2] == null ? "" : " or baggage  " + header[2] + " ";
      out.printf(
          "Requests with  %s: %s %s now reach %s:%d.%n", header[0], header[1], or, localHost, port);
      String url = router.workloadUrl(workload).orElse("http://" + workload + "/");
      out.printf("Try:  curl -H '%s: %s' %s%n", header[0], header[1], url);
      if (header[2] != null) {
        out.printf(" or:  curl -H 'baggage: %s' %s%n", header[2], url);
      }
    } else {
      out.printf("The matching requests to %s now reach %s:%d.%n", workload, localHost, port);
    }
    if (!topics.isEmpty()) {
      out.printf(
          "Records of %s that match are skipped by %s's consumers that run Sidetrack's consumer"
              + " interceptor.%n",
          String.join(", ", Intercept.canonicalTopics(topics)), workload);
      broker.printWhereRecordsGo(workload, interceptId);
    }
    out.println("Relaying; press Ctrl-C to leave.");
    out.flush();
    try {
      String outcome = client.ended().toCompletionStage().toCompletableFuture().get();
      if (!"left".equals(outcome)) {
        out.println("The intercept ended: " + outcome);
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } finally {
      if (!leftOnSignal.isDone()) {
        try {
          Runtime.getRuntime().removeShutdownHook(leaveOnExit);
        } catch (IllegalStateException shuttingDown) {
          leftOnSignal.get(7, TimeUnit.SECONDS);
        }
      }
      out.flush();
    }
    vertx.close();
    broker.close();
    return 0;
  }

  /** --kafka-* only with --topic, and --kafka-direct writes nowhere here. */
  private void checkKafkaOptions() {
    picocli.CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    for (String option : List.of("--local-kafka-port", "--local-kafka", "--kafka-direct")) {
      if (topics.isEmpty() && parsed.hasMatchedOption(option)) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), option + " is about the records of --topic; give a --topic");
      }
    }
    if (kafkaDirect && localKafka != null) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--kafka-direct and --local-kafka exclude each other: with --kafka-direct nothing is"
              + " written here");
    }
    if (localKafkaPort < 0 || localKafkaPort > 65535) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "invalid --local-kafka-port " + localKafkaPort + " (0-65535)");
    }
  }

  /**
   * The preview asked for: none, or the access mode of --preview (or of --preview-access given).
   */
  private PreviewAccess previewAccess() {
    boolean asked =
        preview || spec.commandLine().getParseResult().hasMatchedOption("--preview-access");
    PreviewAccess access;
    try {
      access = PreviewAccess.parse(previewAccess);
    } catch (IllegalArgumentException e) {
      access = PreviewAccess.NONE;
    }
    if (access == PreviewAccess.NONE) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "invalid --preview-access (SIDETRACK_PREVIEW_ACCESS): '"
              + previewAccess
              + "' (public or token)");
    }
    return asked ? access : PreviewAccess.NONE;
  }

  private void warnIfNothingListens(PrintWriter err) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(localHost, port), 500);
    } catch (java.io.IOException e) {
      err.printf(
          "sidetrack: warning: nothing listens on %s:%d yet; intercepted requests get 502 until"
              + " something does%n",
          localHost, port);
      err.flush();
    }
  }

  private static String sanitize(String owner) {
    String s = owner.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    return s.isEmpty() ? "dev" : s;
  }

  /** Prints what the tunnel reports. */
  private static final class Events implements TunnelEvents {
    private final PrintWriter out;
    private final PrintWriter err;
    private boolean wasActive;
    private String previewUrl;
    private String previewWarning;

    Events(PrintWriter out, PrintWriter err) {
      this.out = out;
      this.err = err;
    }

    @Override
    public synchronized void connected(String url, String owner) {
      out.printf("Connected to %s as %s.%n", url, owner);
      out.flush();
    }

    @Override
    public synchronized void pending(String detail) {
      out.println("  ... " + detail);
      out.flush();
    }

    @Override
    public synchronized void active(String interceptId, int agents, long millis) {
      out.printf(
          "%s intercept %s, routed by %d edge agent%s (%d ms).%n",
          wasActive ? "Active again:" : "Active:",
          interceptId,
          agents,
          agents == 1 ? "" : "s",
          millis);
      out.flush();
      wasActive = true;
    }

    @Override
    public synchronized void preview(String url) {
      if (!url.equals(previewUrl)) {
        out.println("Preview URL: " + url);
        out.flush();
        previewUrl = url;
      }
    }

    @Override
    public synchronized void previewUnavailable(String reason) {
      if (!reason.equals(previewWarning)) {
        err.println("sidetrack: warning: no preview URL: " + reason);
        err.flush();
        previewWarning = reason;
      }
    }

    @Override
    public synchronized void disconnected(String why, long retryInMillis) {
      err.printf(
          "sidetrack: %s; reconnecting in %d ms (the intercept stays until its lease ends)%n",
          why, retryInMillis);
      err.flush();
    }

    @Override
    public synchronized void recordWritten(String topic, int partition, long offset) {
      out.printf(
          "%s  %-7s %-40s %s%n",
          LocalTime.now().format(CLOCK), "RECORD", topic, "partition " + partition + " @" + offset);
      out.flush();
    }

    @Override
    public synchronized void recordsFailed(String why) {
      err.println("sidetrack: records: " + why + "; the router stops relaying them");
      err.flush();
    }

    @Override
    public synchronized void relayed(String method, String uri, int status, double millis) {
      out.printf(
          "%s  %-7s %-40s %3d  %7.1f ms%n",
          LocalTime.now().format(CLOCK), method, uri, status, millis);
      out.flush();
    }
  }
}
