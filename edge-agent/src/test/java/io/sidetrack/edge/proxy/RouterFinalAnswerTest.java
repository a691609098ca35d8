package io.sidetrack.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteTable;
import io.sidetrack.edge.dispatch.DispatchMetrics;
import io.sidetrack.edge.dispatch.Dispatcher;
import io.sidetrack.edge.dispatch.RouterBreaker;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
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
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The full proxy before a raw router that answers a matched request with a body by a final status
 * at once, without {@code 100 Continue}: the answer reaches the client, the body the router never
 * asked for never reaches it, and the client's connection goes on with its next request.
 */
@Timeout(60)
class RouterFinalAnswerTest {
  private static Vertx vertx;
  private static HttpServer app;
  private static ServerSocket router;
  private static EdgeProxy proxy;
  private static int port;
  private static final AtomicInteger bodyBytesAtRouter = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    app =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> req.body().onSuccess(b -> req.response().end("app " + req.path())))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    router = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(RouterFinalAnswerTest::acceptRouterConnections);
    acceptor.setDaemon(true);
    acceptor.start();
    Route alice =
        new Route(
            "alice",
            "shop",
            "dev-alice",
            MatchRules.header("x-sidetrack-id", "alice"),
            "127.0.0.1:" + router.getLocalPort(),
            Instant.EPOCH,
            FailureMode.FAIL_OPEN);
    RouteTable table = RouteTable.compile(List.of(alice));
    Dispatcher dispatcher =
        new Dispatcher(
            () -> table,
            new RouterBreaker(3, Duration.ofSeconds(5)),
            new DispatchMetrics(new SimpleMeterRegistry()));
    proxy =
        new EdgeProxy(
            vertx, dispatcher, "shop", "127.0.0.1", app.actualPort(), false, Duration.ofSeconds(2));
    port = proxy.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get();
  }

  @AfterAll
  static void stop() throws Exception {
    router.close();
    proxy.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The router: answers every head 413 at once and counts whatever comes after it. */
  private static void acceptRouterConnections() {
    while (!router.isClosed()) {
      try {
        Socket c = router.accept();
        Thread t =
            new Thread(
                () -> {
                  try (c) {
                    InputStream in = c.getInputStream();
                    if (readHead(in) == null) {
                      return;
                    }
                    OutputStream out = c.getOutputStream();
                    out.write(
                        "HTTP/1.1 413 Content Too Large\r\ncontent-length: 4\r\n\r\nbig!"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    while (in.read() >= 0) {
                      bodyBytesAtRouter.incrementAndGet();
                    }
                  } catch (IOException e) {
                    // the proxy closed its link
                  }
                });
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  /** More than the proxy buffers for a paused request: left unread, it stalls the connection. */
  private static final int BODY = 4 << 20;

  @Test
  void finalAnswerWithoutContinueIsRelayedAndTheConnectionServesTheNextRequest() throws Exception {
    byte[] body = new byte[BODY];
    java.util.Arrays.fill(body, (byte) 'x');
    assertNextRequestServedAfter413("content-length: " + BODY + "\r\n\r\n", body, "");
  }

  @Test
  void chunkedBodyTheRouterRefusedIsReadPastBeforeTheNextRequest() throws Exception {
    ByteArrayOutputStream chunks = new ByteArrayOutputStream();
    byte[] chunk = new byte[64 * 1024];
    java.util.Arrays.fill(chunk, (byte) 'y');
    for (int sent = 0; sent < BODY; sent += chunk.length) {
      chunks.write(("10000\r\n").getBytes(StandardCharsets.US_ASCII));
      chunks.write(chunk);
      chunks.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    assertNextRequestServedAfter413(
        "transfer-encoding: chunked\r\n\r\n", chunks.toByteArray(), "0\r\n\r\n");
  }

  /**
   * Sends a matched POST with {@code body} ({@code framing} before it, {@code end} after it) and a
   * GET right behind it on one connection, written from another thread as a client would while it
   * reads answers.
   */
  private static void assertNextRequestServedAfter413(String framing, byte[] body, String end)
      throws Exception {
    bodyBytesAtRouter.set(0);
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
      client.setSoTimeout(10_000);
      OutputStream out = client.getOutputStream();
      Thread writer =
          new Thread(
              () -> {
                try {
                  out.write(
                      ("POST /upload HTTP/1.1\r\nhost: shop\r\nx-sidetrack-id: alice\r\n" + framing)
                          .getBytes(StandardCharsets.US_ASCII));
                  out.write(body);
                  out.write(
                      (end + "GET /next HTTP/1.1\r\nhost: shop\r\n\r\n")
                          .getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                } catch (IOException e) {
                  // the proxy closed the connection; the reader sees it
                }
              });
      writer.setDaemon(true);
      writer.start();
      InputStream in = client.getInputStream();
      String first = readHead(in);
      assertThat(first).startsWith("HTTP/1.1 413");
      assertThat(readBody(in, first)).isEqualTo("big!");
      String second = readHead(in);
      assertThat(second).as("the next request's answer").startsWith("HTTP/1.1 200");
      assertThat(readBody(in, second)).isEqualTo("app /next");
    }
    assertThat(bodyBytesAtRouter.get()).as("body bytes the router never asked for").isZero();
  }

  /** A head up to its blank line, or null at the end of the stream. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static String readBody(InputStream in, String head) throws IOException {
    String lower = head.toLowerCase(Locale.ROOT);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (lower.contains("transfer-encoding: chunked")) {
      while (true) {
        String size = readLine(in);
        int n = Integer.parseInt(size.split(";")[0].trim(), 16);
        if (n == 0) {
          while (!readLine(in).isEmpty()) {
            // trailers
          }
          return body.toString(StandardCharsets.UTF_8);
        }
        body.write(in.readNBytes(n));
        readLine(in);
      }
    }
    int at = lower.indexOf("content-length:");
    int length =
        at < 0 ? 0 : Integer.parseInt(lower.substring(at + 15, lower.indexOf('\r', at)).trim());
    return new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }
}
