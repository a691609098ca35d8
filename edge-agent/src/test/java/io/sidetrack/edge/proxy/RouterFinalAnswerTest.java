package io.sidetrack.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sidetrack.core.http.ForwardedTrust;
import io.sidetrack.edge.bridge.BaggageBridging;
import io.sidetrack.edge.dispatch.Dispatcher;
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
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The full proxy between a raw client that sends {@code Expect: 100-continue} and a raw router: a
 * router that answers a final status at once, without {@code 100 Continue}, gets its answer to the
 * client, and the client's connection does not hang whether the client then sends the body or its
 * next request (the proxy closes it after the answer, RFC 9110 section 10.1.1); a router that
 * confirms gets the body once the client had its {@code 100 Continue}.
 */
@Timeout(60)
class RouterFinalAnswerTest {
  private static final String BODY = "hello";
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
    Dispatcher dispatcher = AliceRoute.dispatcherToRouterAt(router.getLocalPort());
    proxy =
        new EdgeProxy(
            vertx,
            dispatcher,
            new BaggageBridging(true, new SimpleMeterRegistry()),
            ForwardedTrust.privateNetworks(),
            "shop",
            "127.0.0.1",
            app.actualPort(),
            false,
            Duration.ofSeconds(2));
    port = proxy.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get();
  }

  @AfterAll
  static void stop() throws Exception {
    router.close();
    proxy.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void resetCount() {
    bodyBytesAtRouter.set(0);
  }

  /**
   * The router: a head for {@code /refuse} is answered 404 at once and whatever comes after it is
   * counted; for {@code /accept}, 100 Continue, then the body is read and answered 200.
   */
  private static void acceptRouterConnections() {
    while (!router.isClosed()) {
      try {
        Socket c = router.accept();
        Thread t = new Thread(() -> serveRouterConnection(c));
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void serveRouterConnection(Socket c) {
    try (c) {
      InputStream in = c.getInputStream();
      OutputStream out = c.getOutputStream();
      for (String head = readHead(in); head != null; head = readHead(in)) {
        if (head.startsWith("POST /refuse")) {
          out.write(ascii("HTTP/1.1 404 Not Found\r\ncontent-length: 4\r\n\r\nnone"));
          out.flush();
          while (in.read() >= 0) {
            bodyBytesAtRouter.incrementAndGet();
          }
          return;
        }
        out.write(ascii("HTTP/1.1 100 Continue\r\n\r\n"));
        out.flush();
        String body = readBody(in, head);
        out.write(ascii("HTTP/1.1 200 OK\r\ncontent-length: " + (7 + body.length()) + "\r\n\r\n"));
        out.write(ascii("router " + body));
        out.flush();
      }
    } catch (IOException e) {
      // the proxy closed its link
    }
  }

  private static String head(String path) {
    return "POST "
        + path
        + " HTTP/1.1\r\nhost: shop\r\nx-sidetrack-id: alice\r\nexpect: 100-continue\r\n"
        + "content-length: "
        + BODY.length()
        + "\r\n\r\n";
  }

  @Test
  void finalAnswerWithoutContinueThenTheBodyClosesTheConnectionAfterTheAnswer() throws Exception {
    assertRefusedThenClosed(BODY + "GET /next HTTP/1.1\r\nhost: shop\r\n\r\n");
  }

  @Test
  void finalAnswerWithoutContinueThenTheNextRequestClosesTheConnectionAfterTheAnswer()
      throws Exception {
    assertRefusedThenClosed("GET /next HTTP/1.1\r\nhost: shop\r\n\r\n");
  }

  @Test
  void continueFromTheRouterReachesTheClientAndTheConnectionServesTheNextRequest()
      throws Exception {
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
      client.setSoTimeout(10_000);
      OutputStream out = client.getOutputStream();
      InputStream in = client.getInputStream();
      out.write(ascii(head("/accept")));
      out.flush();
      assertThat(readHead(in)).startsWith("HTTP/1.1 100");
      out.write(ascii(BODY));
      out.flush();
      String answer = readHead(in);
      assertThat(answer).startsWith("HTTP/1.1 200");
      assertThat(readBody(in, answer)).isEqualTo("router " + BODY);
      out.write(ascii("GET /next HTTP/1.1\r\nhost: shop\r\n\r\n"));
      out.flush();
      String next = readHead(in);
      assertThat(next).startsWith("HTTP/1.1 200");
      assertThat(readBody(in, next)).isEqualTo("app /next");
    }
  }

  /** Sends the head, reads the router's 404, sends {@code after}, and expects the end. */
  private static void assertRefusedThenClosed(String after) throws Exception {
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
      client.setSoTimeout(10_000);
      OutputStream out = client.getOutputStream();
      InputStream in = client.getInputStream();
      out.write(ascii(head("/refuse")));
      out.flush();
      String answer = readHead(in);
      assertThat(answer).startsWith("HTTP/1.1 404").containsIgnoringCase("connection: close");
      assertThat(readBody(in, answer)).isEqualTo("none");
      try {
        out.write(ascii(after));
        out.flush();
      } catch (IOException closedAlready) {
        // the proxy may have closed before these bytes went
      }
      assertThat(readHead(in)).as("what follows the answer").isNull();
    }
    assertThat(bodyBytesAtRouter.get()).as("body bytes the router never asked for").isZero();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** A head up to its blank line, or null at the end of the stream. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b;
      try {
        b = in.read();
      } catch (java.net.SocketException reset) {
        b = -1;
      }
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
    if (lower.contains("transfer-encoding: chunked")) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        int n = Integer.parseInt(readLine(in).split(";")[0].trim(), 16);
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
