package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.sidetrack.cli.EchoGrpc.EchoServer;
import io.sidetrack.edge.EdgeAgent;
import io.sidetrack.edge.EdgeAgentConfig;
import io.sidetrack.embedded.Ports;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.stream.RegistryStreamApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * gRPC through Sidetrack on a real grpc-java stack: a grpc-java server as the workload's app behind
 * an edge agent configured for an h2c app, a second grpc-java server on the developer's "laptop"
 * behind {@code bin/sidetrack intercept} (header {@code x-sidetrack-id: dev}), the router as {@code
 * bin/sidetrack router}, the real broker, registry and registry-stream, and a grpc-java client
 * (plaintext: h2c with prior knowledge) calling the agent.
 *
 * <p>The intercept is active for the whole class, so every call without the header is also a
 * non-matching call under a header intercept: Telepresence's #4055/#4056 is that case hanging.
 * Every call has a deadline so that a hang fails the test within seconds.
 */
@Timeout(600) // the start-up (broker, registry, two CLI JVMs) on a loaded machine
class GrpcIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final String PREFIX = "g" + UUID.randomUUID().toString().substring(0, 8) + ".";
  static final String TOKEN = "grpc-dev-token-0123456789ab";
  static final String WORKLOAD = "greeter";
  static final Metadata.Key<String> SIDETRACK_ID =
      Metadata.Key.of("x-sidetrack-id", Metadata.ASCII_STRING_MARSHALLER);
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static Path home;
  static EchoServer app;
  static EchoServer laptop;
  static RegistryStreamApp stream;
  static EdgeAgent agent;
  static ManagedChannel channel;
  static final List<Process> processes = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    home = Files.createTempDirectory("grpc-it");
    Files.writeString(home.resolve("tokens"), TOKEN + " dev *\n");
    app = new EchoServer("app");
    laptop = new EchoServer("laptop");
    String bootstrap = SharedInfrastructure.kafka();
    String registry = SharedInfrastructure.schemaRegistry();
    stream = TestRegistryStream.start(bootstrap, registry, PREFIX, "grpc-it");
    agent =
        EdgeAgent.start(
            EdgeAgentConfig.of(
                    WORKLOAD,
                    "127.0.0.1",
                    0,
                    "127.0.0.1",
                    app.port(),
                    bootstrap,
                    SchemaRegistryConfig.of(registry))
                .withAppHttp2(true)
                .withTopicPrefix(PREFIX)
                .withTrustedRouters(TestRouterKeys.TRUSTED));
    await().atMost(Duration.ofSeconds(60)).until(() -> agent.routes().caughtUp());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", agent.port()).usePlaintext().build();

    int listen = Ports.free();
    router(listen, Ports.free());
    intercept(listen);
  }

  @AfterAll
  static void stop() throws Exception {
    processes.forEach(Process::destroy);
    for (Process p : processes) {
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (agent != null) {
      agent.close();
    }
    if (stream != null) {
      stream.close();
    }
    if (app != null) {
      app.close();
    }
    if (laptop != null) {
      laptop.close();
    }
  }

  // ---- through the agent to the app (h2c) --------------------------------------------------

  @Test
  @Timeout(30)
  void unaryCallReachesTheAppOverH2c() {
    assertThat(unary(null, "hello")).isEqualTo("app:hello");
  }

  @Test
  @Timeout(30)
  void serverStreamingCallDeliversEveryMessageInOrder() {
    assertThat(count(null, 100)).hasSize(100).startsWith("app:0", "app:1").endsWith("app:99");
  }

  @Test
  @Timeout(30)
  void bidiStreamingCallEchoesEachMessageWhileBothSidesAreOpen() throws Exception {
    assertThat(echo(null, 20)).hasSize(20).startsWith("app:m0").endsWith("app:m19");
  }

  @Test
  @Timeout(30)
  void errorStatusAndItsDescriptionReachTheClientInTheTrailers() {
    assertThatThrownBy(
            () -> ClientCalls.blockingUnaryCall(channel(null), EchoGrpc.FAIL, inTime(), "x"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(e.getStatus().getDescription()).isEqualTo("app has no x");
            });
  }

  @Test
  @Timeout(30)
  void anExpiredDeadlineFailsTheCallInTimeAndCancelsItOnTheServer() throws Exception {
    deadlineExpires(null, app, "late-app");
  }

  @Test
  @Timeout(30)
  void aCancelledCallIsCancelledOnTheServer() throws Exception {
    cancellationReaches(null, app, "cancel-app");
  }

  // ---- under the header intercept: matched calls reach the laptop ------------------------

  @Test
  @Timeout(30)
  void matchedUnaryCallReachesTheLaptopThroughRouterAndTunnel() {
    assertThat(unary("dev", "hello")).isEqualTo("laptop:hello");
  }

  @Test
  @Timeout(30)
  void matchedServerStreamingCallDeliversEveryMessageFromTheLaptop() {
    assertThat(count("dev", 100)).hasSize(100).startsWith("laptop:0").endsWith("laptop:99");
  }

  @Test
  @Timeout(30)
  void matchedBidiStreamingCallEchoesFromTheLaptop() throws Exception {
    assertThat(echo("dev", 20)).hasSize(20).startsWith("laptop:m0").endsWith("laptop:m19");
  }

  @Test
  @Timeout(30)
  void matchedErrorStatusReachesTheClientFromTheLaptop() {
    assertThatThrownBy(
            () -> ClientCalls.blockingUnaryCall(channel("dev"), EchoGrpc.FAIL, inTime(), "y"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(e.getStatus().getDescription()).isEqualTo("laptop has no y");
            });
  }

  @Test
  @Timeout(30)
  void matchedCallDeadlineExpiresInTimeAndCancelsTheLaptopsCall() throws Exception {
    deadlineExpires("dev", laptop, "late-laptop");
  }

  @Test
  @Timeout(30)
  void matchedCancelledCallIsCancelledOnTheLaptop() throws Exception {
    cancellationReaches("dev", laptop, "cancel-laptop");
  }

  @Test
  @Timeout(30)
  void nonMatchingCallsUnderTheInterceptCompleteAgainstTheApp() throws Exception {
    // Telepresence #4055/#4056: these hang there
    assertThat(agent.routes().current().size()).as("the intercept's route").isEqualTo(1);
    assertThat(unary("someone-else", "u")).isEqualTo("app:u");
    assertThat(count("someone-else", 100)).hasSize(100).endsWith("app:99");
    assertThat(echo("someone-else", 5))
        .containsExactly("app:m0", "app:m1", "app:m2", "app:m3", "app:m4");
  }

  @Test
  @Timeout(30)
  void matchedAndNonMatchingCallsInterleaveOnOneConnection() {
    for (int i = 0; i < 10; i++) {
      assertThat(unary(i % 2 == 0 ? "dev" : null, "i" + i))
          .isEqualTo((i % 2 == 0 ? "laptop:i" : "app:i") + i);
    }
  }

  // ---- calls ------------------------------------------------------------------------------

  /** The agent's channel, with {@code x-sidetrack-id: id} on every call (none if null). */
  static Channel channel(String id) {
    if (id == null) {
      return channel;
    }
    Metadata headers = new Metadata();
    headers.put(SIDETRACK_ID, id);
    return io.grpc.ClientInterceptors.intercept(
        channel, MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** A deadline no call here should come near. */
  static CallOptions inTime() {
    return CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static String unary(String id, String message) {
    return ClientCalls.blockingUnaryCall(channel(id), EchoGrpc.UNARY, inTime(), message);
  }

  static List<String> count(String id, int n) {
    List<String> got = new ArrayList<>();
    Iterator<String> it =
        ClientCalls.blockingServerStreamingCall(
            channel(id), EchoGrpc.COUNT, inTime(), String.valueOf(n));
    it.forEachRemaining(got::add);
    return got;
  }

  /**
   * Sends n messages one at a time, each only after the answer to the one before arrived: the
   * streams are open both ways at once, as a chat is.
   */
  static List<String> echo(String id, int n) throws Exception {
    List<String> got = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<String>[] requests = new StreamObserver[1];
    requests[0] =
        ClientCalls.asyncBidiStreamingCall(
            channel(id).newCall(EchoGrpc.ECHO, inTime()),
            new StreamObserver<String>() {
              @Override
              public void onNext(String answer) {
                got.add(answer);
                if (got.size() < n) {
                  requests[0].onNext("m" + got.size());
                } else {
                  requests[0].onCompleted();
                }
              }

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                done.complete(null);
              }
            });
    requests[0].onNext("m0");
    done.get(15, TimeUnit.SECONDS);
    return got;
  }

  /**
   * A 1.5 s deadline on a call the server never answers, after a warm-up call (the first call on a
   * path may take half a second to set up its connections).
   */
  static void deadlineExpires(String id, EchoServer server, String tag) throws Exception {
    unary(id, "warm-up");
    long t0 = System.nanoTime();
    assertThatThrownBy(
            () ->
                ClientCalls.blockingUnaryCall(
                    channel(id),
                    EchoGrpc.HANG,
                    CallOptions.DEFAULT.withDeadlineAfter(1500, TimeUnit.MILLISECONDS),
                    tag))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
    await().atMost(Duration.ofSeconds(5)).until(() -> server.started.contains(tag));
    await().atMost(Duration.ofSeconds(5)).until(() -> server.cancelled.contains(tag));
  }

  /** The client cancels a call the server has started and never answers. */
  static void cancellationReaches(String id, EchoServer server, String tag) throws Exception {
    ClientCall<String, String> call =
        channel(id)
            .newCall(EchoGrpc.HANG, CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS));
    CompletableFuture<Status> closed = new CompletableFuture<>();
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            closed.complete(status);
          }
        },
        new Metadata());
    call.sendMessage(tag);
    call.halfClose();
    call.request(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.started.contains(tag));
    call.cancel("the test cancels", null);
    assertThat(closed.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
    // the 60 s deadline cannot be what cancels it on the server
    await().atMost(Duration.ofSeconds(5)).until(() -> server.cancelled.contains(tag));
  }

  // ---- processes ----------------------------------------------------------------------------

  static Process sidetrack(String name, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ROOT.resolve("bin/sidetrack").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(home.resolve(name + ".out").toFile());
    pb.environment().put("SIDETRACK_HOME", home.toString());
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  static void router(int listen, int relay) throws Exception {
    Process p =
        sidetrack(
            "router",
            "router",
            "--listen",
            "127.0.0.1:" + listen,
            "--relay",
            "127.0.0.1:" + relay,
            "--tokens",
            home.resolve("tokens").toString(),
            "--signing-key",
            TestRouterKeys.privateFile(),
            "--bootstrap-servers",
            SharedInfrastructure.kafka(),
            "--schema-registry-url",
            SharedInfrastructure.schemaRegistry(),
            "--topic-prefix",
            PREFIX);
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(
            () -> {
              assertThat(p.isAlive()).as(Files.readString(home.resolve("router.out"))).isTrue();
              return HTTP.send(
                          HttpRequest.newBuilder(
                                  URI.create("http://127.0.0.1:" + listen + "/ready"))
                              .build(),
                          HttpResponse.BodyHandlers.discarding())
                      .statusCode()
                  == 200;
            });
  }

  static void intercept(int routerPort) throws Exception {
    Process p =
        sidetrack(
            "intercept",
            "intercept",
            WORKLOAD,
            "--port",
            String.valueOf(laptop.port()),
            "--router",
            "http://127.0.0.1:" + routerPort,
            "--token",
            TOKEN,
            "--header",
            "x-sidetrack-id=dev");
    Path out = home.resolve("intercept.out");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.readString(out).contains("Relaying") || !p.isAlive());
    assertThat(p.isAlive()).as(Files.readString(out)).isTrue();
  }
}
