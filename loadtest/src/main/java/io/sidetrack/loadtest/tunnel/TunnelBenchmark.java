package io.sidetrack.loadtest.tunnel;

import io.sidetrack.cli.tunnel.AppProtocol;
import io.sidetrack.cli.tunnel.TunnelClient;
import io.sidetrack.cli.tunnel.TunnelEvents;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.RelayHeaders;
import io.sidetrack.edge.EdgeAgent;
import io.sidetrack.edge.EdgeAgentConfig;
import io.sidetrack.embedded.EmbeddedKafka;
import io.sidetrack.embedded.EmbeddedSchemaRegistry;
import io.sidetrack.embedded.Zeros;
import io.sidetrack.loadtest.BenchStack;
import io.sidetrack.router.Router;
import io.sidetrack.router.RouterConfig;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.tunnel.InterceptSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The developer's side, measured on the embedded stack: time from asking for an intercept to
 * "active", the latency an intercepted request adds over calling the local app directly, and the
 * tunnel's throughput for a large body both ways.
 *
 * <p>Everything runs in this JVM on loopback (broker, registry child process, registry-stream, an
 * edge agent, the router, the tunnel client, the apps), on real sockets.
 */
public final class TunnelBenchmark {
  private static final String WORKLOAD = "bench";
  private static final String TOKEN = "bench-token-0123456789abcdef";

  public static void main(String[] args) throws Exception {
    int activations = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int requests = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    long bodyBytes = (args.length > 2 ? Long.parseLong(args[2]) : 1024) * 1024 * 1024;
    int cliRuns = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    Path dir = Files.createTempDirectory("sidetrack-tunnel-bench");
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, TOKEN + " bench *\n");
    Vertx vertx = Vertx.vertx();
    AtomicLong uploaded = new AtomicLong();
    HttpServer laptop = laptop(vertx, uploaded);
    HttpServer cluster = listen(vertx, req -> req.response().end("cluster"));
    try (BenchStack stack = BenchStack.start(dir, 6)) {
      EmbeddedKafka kafka = stack.kafka();
      EmbeddedSchemaRegistry registry = stack.registry();
      SchemaRegistryConfig sr = SchemaRegistryConfig.of(registry.url());
      java.security.KeyPair routerKey = io.sidetrack.core.trust.Keys.generate();
      try (EdgeAgent agent =
              EdgeAgent.start(
                  EdgeAgentConfig.of(
                          WORKLOAD,
                          "127.0.0.1",
                          0,
                          "127.0.0.1",
                          cluster.actualPort(),
                          kafka.bootstrapServers(),
                          sr)
                      .withTrustedRouters(
                          io.sidetrack.core.trust.TrustedKeys.of(
                              java.util.List.of(routerKey.getPublic()))));
          Router router =
              Router.start(
                  RouterConfig.of(kafka.bootstrapServers(), sr, tokens)
                      .withSigning(new RouterConfig.Signing(routerKey.getPrivate())))) {
        while (!router.view().ready() || router.view().liveAgents(WORKLOAD).isEmpty()) {
          Thread.sleep(50);
        }
        System.out.printf("Tunnel benchmark on the embedded stack, all in one JVM on loopback%n");
        activation(router, laptop.actualPort(), activations);
        cliActivation(router, laptop.actualPort(), cliRuns, dir);
        Vertx devVertx = Vertx.vertx();
        TunnelClient dev = client(devVertx, router, "i-bench", "dev", laptop.actualPort());
        dev.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        latency(agent, router, laptop.actualPort(), requests);
        throughput(vertx, agent, router, uploaded, bodyBytes);
        dev.leave().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        devVertx.close();
      }
    } finally {
      vertx.close();
    }
    System.exit(0);
  }

  private static TunnelClient client(
      Vertx vertx, Router router, String id, String header, int laptopPort) {
    InterceptSpec spec =
        new InterceptSpec(
            id,
            WORKLOAD,
            MatchRules.header("x-sidetrack-id", header),
            Duration.ofSeconds(30),
            false);
    return new TunnelClient(
        vertx,
        List.of(router.url()),
        TOKEN,
        owner -> spec,
        "127.0.0.1",
        laptopPort,
        AppProtocol.AUTO,
        new TunnelEvents() {});
  }

  /** Sequential intercepts: ask, wait for "active", leave. */
  private static void activation(Router router, int laptopPort, int n) throws Exception {
    Vertx vertx = Vertx.vertx();
    long[] ms = new long[n];
    long first = 0;
    for (int i = -1; i < n; i++) { // the first (i = -1) runs every path cold: reported apart
      TunnelClient c = client(vertx, router, "i-act-" + (i + 1), "act-" + (i + 1), laptopPort);
      long t0 = System.nanoTime();
      c.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      long took = (System.nanoTime() - t0) / 1_000_000;
      if (i < 0) {
        first = took;
      } else {
        ms[i] = took;
      }
      c.leave().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      c.close();
    }
    vertx.close();
    Arrays.sort(ms);
    System.out.printf(
        "Intercept -> active (%d sequential after a first cold one of %d ms, tunnel client"
            + " in-process): p50 %d ms, p99 %d ms, max %d ms%n",
        n, first, ms[n / 2], ms[(int) Math.ceil(n * 0.99) - 1], ms[n - 1]);
  }

  /**
   * {@code bin/sidetrack intercept} as a process, as a developer runs it: from starting the process
   * to its "Active" line, JVM start included; then SIGTERM (it leaves).
   */
  private static void cliActivation(Router router, int laptopPort, int n, Path dir)
      throws Exception {
    Path root = Path.of(System.getProperty("sidetrack.root", ".")).toAbsolutePath().normalize();
    Path bin = root.resolve("bin/sidetrack");
    if (n <= 0 || !Files.isExecutable(bin)) {
      return;
    }
    long[] ms = new long[n];
    for (int i = -1; i < n; i++) { // the first run (i = -1) may record the CDS archive
      Path out = dir.resolve("cli-" + (i + 1) + ".out");
      ProcessBuilder pb =
          new ProcessBuilder(
                  bin.toString(),
                  "intercept",
                  WORKLOAD,
                  "--port",
                  String.valueOf(laptopPort),
                  "--router",
                  router.url(),
                  "--token",
                  TOKEN,
                  "--header",
                  "x-sidetrack-id=cli-" + (i + 1))
              .redirectErrorStream(true)
              .redirectOutput(out.toFile());
      pb.environment().put("SIDETRACK_HOME", dir.resolve("cli-home").toString());
      long t0 = System.nanoTime();
      Process p = pb.start();
      while (!Files.readString(out).contains("Active: intercept")) {
        if (!p.isAlive()) {
          throw new IllegalStateException("intercept exited: " + Files.readString(out));
        }
        Thread.sleep(2);
      }
      if (i >= 0) {
        ms[i] = (System.nanoTime() - t0) / 1_000_000;
      }
      p.destroy();
      p.waitFor(20, TimeUnit.SECONDS);
    }
    Arrays.sort(ms);
    System.out.printf(
        "bin/sidetrack intercept -> \"Active\" (%d runs, process start included): p50 %d ms,"
            + " p99 %d ms, max %d ms%n",
        n, ms[n / 2], ms[(int) Math.ceil(n * 0.99) - 1], ms[n - 1]);
  }

  /** Sequential GETs on one keep-alive connection: direct, intercepted, and not intercepted. */
  private static void latency(EdgeAgent agent, Router router, int laptopPort, int n)
      throws Exception {
    String header = "x-sidetrack-id: dev";
    double[] direct = measure(laptopPort, null, n);
    double[] intercepted = measure(agent.port(), header, n);
    double[] viaRouter = measure(router.relayPort(), RelayHeaders.INTERCEPT + ": i-bench", n);
    double[] unmatched = measure(agent.port(), null, n);
    System.out.printf(
        "Latency, %d sequential GETs each, one keep-alive connection (p50 / p99 ms):%n", n);
    print("local app directly", direct);
    print("intercepted (agent, router, tunnel, app)", intercepted);
    print("  of which router, tunnel, app", viaRouter);
    print("not intercepted (agent, cluster app)", unmatched);
    System.out.printf(
        "  added by the interception over the local app: p50 %.3f ms, p99 %.3f ms%n",
        pct(intercepted, 50) - pct(direct, 50), pct(intercepted, 99) - pct(direct, 99));
  }

  private static double[] measure(int port, String header, int n) throws Exception {
    try (RawHttp http = new RawHttp(port)) {
      for (int i = 0; i < Math.min(n, 5_000); i++) {
        http.get("/small", header); // warm-up
      }
      double[] ms = new double[n];
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        int status = http.get("/small", header);
        ms[i] = (System.nanoTime() - t0) / 1e6;
        if (status != 200) {
          throw new IllegalStateException("status " + status);
        }
      }
      Arrays.sort(ms);
      return ms;
    }
  }

  private static double pct(double[] sorted, int p) {
    return sorted[Math.max(0, (int) Math.ceil(sorted.length * p / 100.0) - 1)];
  }

  private static void print(String what, double[] ms) {
    System.out.printf("  %-42s %.3f / %.3f%n", what, pct(ms, 50), pct(ms, 99));
  }

  /** One large body up and one down, through the agent and through the router alone. */
  private static void throughput(
      Vertx vertx, EdgeAgent agent, Router router, AtomicLong uploaded, long bytes)
      throws Exception {
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setTcpNoDelay(true));
    System.out.printf("Throughput, one %d MiB body (MB/s = 10^6 bytes/s):%n", bytes >> 20);
    for (boolean viaAgent : new boolean[] {false, true}) {
      int port = viaAgent ? agent.port() : router.relayPort();
      String hName = viaAgent ? "x-sidetrack-id" : RelayHeaders.INTERCEPT;
      String hValue = viaAgent ? "dev" : "i-bench";
      String path = viaAgent ? "agent, router, tunnel" : "router, tunnel";
      long t0 = System.nanoTime();
      upload(http, port, hName, hValue, bytes);
      double up = bytes / ((System.nanoTime() - t0) / 1e9) / 1e6;
      if (uploaded.get() != bytes) {
        throw new IllegalStateException("uploaded " + uploaded.get());
      }
      t0 = System.nanoTime();
      long got = download(http, port, hName, hValue, bytes);
      double down = got / ((System.nanoTime() - t0) / 1e9) / 1e6;
      if (got != bytes) {
        throw new IllegalStateException("downloaded " + got);
      }
      System.out.printf("  %-24s upload %.0f MB/s, download %.0f MB/s%n", path, up, down);
    }
  }

  private static void upload(HttpClient http, int port, String hName, String hValue, long bytes)
      throws Exception {
    http.request(
            new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost("127.0.0.1")
                .setPort(port)
                .setURI("/upload")
                .putHeader(hName, hValue)
                .putHeader("content-length", String.valueOf(bytes)))
        .compose(
            req -> {
              Zeros.write(req, bytes);
              return req.response().compose(r -> r.body());
            })
        .toCompletionStage()
        .toCompletableFuture()
        .get(600, TimeUnit.SECONDS);
  }

  private static long download(HttpClient http, int port, String hName, String hValue, long bytes)
      throws Exception {
    AtomicLong got = new AtomicLong();
    http.request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost("127.0.0.1")
                .setPort(port)
                .setURI("/download?bytes=" + bytes)
                .putHeader(hName, hValue))
        .compose(req -> req.send())
        .compose(
            resp -> {
              resp.handler(b -> got.addAndGet(b.length()));
              return resp.end();
            })
        .toCompletionStage()
        .toCompletableFuture()
        .get(600, TimeUnit.SECONDS);
    return got.get();
  }

  private static HttpServer laptop(Vertx vertx, AtomicLong uploaded) throws Exception {
    return listen(
        vertx,
        req -> {
          switch (req.path()) {
            case "/upload" -> {
              long[] n = {0};
              req.handler(b -> n[0] += b.length());
              req.endHandler(
                  v -> {
                    uploaded.set(n[0]);
                    req.response().end("ok");
                  });
            }
            case "/download" -> {
              long total = Long.parseLong(req.getParam("bytes"));
              var res = req.response().putHeader("content-length", String.valueOf(total));
              Zeros.write(res, total);
            }
            default -> req.response().end("ok");
          }
        });
  }

  private static HttpServer listen(
      Vertx vertx, io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest> handler)
      throws Exception {
    Future<HttpServer> f =
        vertx
            .createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
            .requestHandler(handler)
            .listen(0, "127.0.0.1");
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
