package io.sidetrack.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.http.ForwardedTrust;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteTable;
import io.sidetrack.edge.bridge.BaggageBridging;
import io.sidetrack.edge.dispatch.DispatchMetrics;
import io.sidetrack.edge.dispatch.Dispatcher;
import io.sidetrack.edge.dispatch.RouterBreaker;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The front's routed branches, on real sockets with a raw app and a raw router on loopback and the
 * route table given to the dispatcher directly (no Kafka): each request names its intercept in
 * {@code x-sidetrack-id}, and each intercept's route points where that case needs it.
 */
@Timeout(60)
class FastFrontRoutingTest {
  private static final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private static final RouterBreaker breaker = new RouterBreaker(3, Duration.ofMinutes(5));
  private static Vertx vertx;
  private static ServerSocket app;
  private static ServerSocket router;
  private static String unreachable;
  private static String openCircuit;
  private static FastFront front;

  @BeforeAll
  static void start() throws Exception {
    app = serve(head -> answer("app", head));
    router =
        serve(
            head ->
                head.contains("sidetrack-intercept-id: gone\r\n")
                    ? "HTTP/1.1 404 Not Found\r\nsidetrack-no-tunnel: 1\r\nContent-Length: 9\r\n\r\n"
                        + "no tunnel"
                    : answer("router", head));
    unreachable = "127.0.0.1:" + closedPort();
    openCircuit = "127.0.0.1:" + closedPort();
    String live = "127.0.0.1:" + router.getLocalPort();
    RouteTable table =
        RouteTable.compile(
            List.of(
                route("live", live, FailureMode.FAIL_OPEN),
                route("gone", live, FailureMode.FAIL_OPEN),
                route("down", unreachable, FailureMode.FAIL_OPEN),
                route("open", openCircuit, FailureMode.FAIL_OPEN),
                route("strict", unreachable, FailureMode.FAIL_CLOSED),
                route("bad", "not an address", FailureMode.FAIL_OPEN)));
    vertx = Vertx.vertx();
    Dispatcher dispatcher =
        new Dispatcher(() -> table, route -> true, breaker, new DispatchMetrics(meters));
    front =
        new FastFront(
            (VertxInternal) vertx,
            dispatcher,
            new BaggageBridging(true, new SimpleMeterRegistry()),
            ForwardedTrust.privateNetworks(),
            HandOffs.NONE,
            "shop",
            "127.0.0.1",
            app.getLocalPort(),
            1000,
            Duration.ofSeconds(60),
            false);
    front.listen("127.0.0.1", 0, 9).toCompletionStage().toCompletableFuture().get();
  }

  @AfterAll
  static void stop() throws Exception {
    front.close();
    app.close();
    router.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Route route(String id, String target, FailureMode mode) {
    return new Route(
        id,
        "shop",
        "dev-" + id,
        MatchRules.header("x-sidetrack-id", id),
        target,
        Instant.EPOCH,
        mode);
  }

  /** A port nobody listens on. */
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** An answer naming who gave it, with the head it saw as its body. */
  private static String answer(String who, String head) {
    String body = who + " saw:\r\n" + head;
    return "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
  }

  /** A raw HTTP/1.1 server on loopback answering each bodyless request head as {@code script}. */
  private static ServerSocket serve(Function<String, String> script) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket c = server.accept();
                  Thread t =
                      new Thread(
                          () -> {
                            try (c) {
                              OutputStream out = c.getOutputStream();
                              for (String head = readHead(c.getInputStream());
                                  head != null;
                                  head = readHead(c.getInputStream())) {
                                out.write(ascii(script.apply(head)));
                                out.flush();
                              }
                            } catch (IOException e) {
                              // closed
                            }
                          });
                  t.setDaemon(true);
                  t.start();
                } catch (IOException e) {
                  return;
                }
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();
    return server;
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int state = 0;
    for (int x = in.read(); x >= 0; x = in.read()) {
      b.write(x);
      state = (x == '\n') ? state + 1 : (x == '\r' ? state : 0);
      if (state == 2) {
        return b.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The head and body of the answer to a GET naming intercept {@code id}. */
  private static String exchange(String id) throws IOException {
    try (Socket s = new Socket("127.0.0.1", front.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(ascii("GET /orders HTTP/1.1\r\nHost: shop\r\nx-sidetrack-id: " + id + "\r\n\r\n"));
      InputStream in = s.getInputStream();
      String head = readHead(in);
      Matcher m = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
      assertThat(m.find()).as(head).isTrue();
      return head + new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8);
    }
  }

  @Test
  void oneConnectionAlternatesBetweenRouterAndApp() throws Exception {
    try (Socket s = new Socket("127.0.0.1", front.port())) {
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      for (String id : new String[] {"live", "nobody", "live", "nobody", "nobody", "live"}) {
        s.getOutputStream()
            .write(
                ascii("GET /orders HTTP/1.1\r\nHost: shop\r\nx-sidetrack-id: " + id + "\r\n\r\n"));
        String head = readHead(in);
        assertThat(head).as(id).startsWith("HTTP/1.1 200");
        Matcher m = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
        assertThat(m.find()).as(head).isTrue();
        String body =
            new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8);
        assertThat(body).as(id).startsWith(id.equals("live") ? "router saw" : "app saw");
      }
    }
  }

  @Test
  void aMatchedRequestGoesToItsRouterWithItsInterceptAndWorkload() throws Exception {
    assertThat(exchange("live"))
        .startsWith("HTTP/1.1 200")
        .doesNotContain("sidetrack-fallback")
        .contains("router saw:\r\nGET /orders HTTP/1.1\r\n")
        .contains("sidetrack-intercept-id: live\r\n", "sidetrack-workload: shop\r\n");
  }

  @Test
  void anOpenCircuitSendsTheRequestToTheAppWithoutTryingTheRouter() throws Exception {
    for (int i = 0; i < 3; i++) {
      breaker.failed(openCircuit);
    }
    assertThat(exchange("open"))
        .startsWith("HTTP/1.1 200")
        .contains("sidetrack-fallback: router-circuit-open\r\n", "app saw:")
        .doesNotContain("sidetrack-intercept-id");
  }

  @Test
  void anUnreachableRouterSendsTheRequestToTheApp() throws Exception {
    assertThat(exchange("down"))
        .startsWith("HTTP/1.1 200")
        .contains("sidetrack-fallback: router-unreachable\r\n", "app saw:")
        .doesNotContain("sidetrack-intercept-id");
  }

  @Test
  void aRouterWithoutTheTunnelSendsTheRequestToTheApp() throws Exception {
    assertThat(exchange("gone"))
        .startsWith("HTTP/1.1 200")
        .contains("sidetrack-fallback: no-tunnel\r\n", "app saw:")
        .doesNotContain("no tunnel")
        .doesNotContain("sidetrack-no-tunnel");
  }

  @Test
  void aFailClosedInterceptWhoseRouterIsUnreachableIsAnswered503() throws Exception {
    assertThat(exchange("strict"))
        .startsWith("HTTP/1.1 503")
        .contains("sidetrack-fallback: router-unreachable\r\n", "retry-after: 5\r\n")
        .contains("intercept strict of dev-strict is fail-closed")
        .doesNotContain("app saw:");
    assertThat(meters.find("sidetrack.agent.fail.closed").counter().count()).isGreaterThan(0);
  }

  @Test
  void aRouteWithABadRouterAddressSendsTheRequestToTheApp() throws Exception {
    assertThat(exchange("bad"))
        .startsWith("HTTP/1.1 200")
        .contains("sidetrack-fallback: bad-router-address\r\n", "app saw:");
  }

  @Test
  void anUnmatchedRequestGoesToTheApp() throws Exception {
    assertThat(exchange("nobody"))
        .startsWith("HTTP/1.1 200")
        .contains("app saw:")
        .doesNotContain("sidetrack-fallback")
        .contains("x-forwarded-for: 127.0.0.1\r\n");
  }
}
