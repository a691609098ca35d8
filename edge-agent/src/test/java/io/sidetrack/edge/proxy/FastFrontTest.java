package io.sidetrack.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sidetrack.core.http.ForwardedTrust;
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
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The byte-level front against an app that answers in ways a Vert.x app will not: chunked with
 * trailers and hop-by-hop fields, before the request's body is in, and up to its close. Real
 * sockets on loopback; no routes, so every request goes to the app ({@link FastFrontRoutingTest}
 * has the routed ones).
 */
@Timeout(60)
class FastFrontTest {
  private static Vertx vertx;
  private static ServerSocket app;
  private static FastFront front;

  /** The same front with a short idle timeout. */
  private static FastFront impatient;

  private static FastFront distrustful;

  @BeforeAll
  static void start() throws Exception {
    app = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              while (!app.isClosed()) {
                try {
                  Socket c = app.accept();
                  Thread t = new Thread(() -> serve(c));
                  t.setDaemon(true);
                  t.start();
                } catch (IOException e) {
                  return;
                }
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();
    vertx = Vertx.vertx();
    Dispatcher dispatcher =
        new Dispatcher(
            RouteTable::empty,
            route -> true,
            new RouterBreaker(3, Duration.ofSeconds(5)),
            new DispatchMetrics(new SimpleMeterRegistry()));
    front = listen(dispatcher, Duration.ofSeconds(60));
    impatient = listen(dispatcher, Duration.ofMillis(300));
    distrustful = listen(dispatcher, Duration.ofSeconds(60), ForwardedTrust.parse("none"));
  }

  /**
   * A front before the app with that idle timeout; nothing here is handed to the full proxy (a port
   * nobody listens on).
   */
  private static FastFront listen(Dispatcher dispatcher, Duration idleTimeout) throws Exception {
    return listen(dispatcher, idleTimeout, ForwardedTrust.privateNetworks());
  }

  private static FastFront listen(Dispatcher dispatcher, Duration idleTimeout, ForwardedTrust trust)
      throws Exception {
    FastFront f =
        new FastFront(
            (VertxInternal) vertx,
            dispatcher,
            new BaggageBridging(true, new SimpleMeterRegistry()),
            trust,
            HandOffs.NONE,
            "shop",
            "127.0.0.1",
            app.getLocalPort(),
            1000,
            idleTimeout,
            false);
    f.listen("127.0.0.1", 0, 9).toCompletionStage().toCompletableFuture().get();
    return f;
  }

  @AfterAll
  static void stop() throws Exception {
    front.close();
    impatient.close();
    distrustful.close();
    app.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The app: answers each request by its path, as scripted below. */
  private static void serve(Socket c) {
    try (c) {
      InputStream in = c.getInputStream();
      OutputStream out = c.getOutputStream();
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        String path = head.split(" ")[1];
        switch (path) {
          case "/chunked" -> {
            skipBody(in, head);
            out.write(
                ascii(
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-t\r\n"
                        + "Keep-Alive: timeout=5\r\nConnection: keep-alive, X-Hop\r\nX-Hop: h\r\n"
                        + "X-End: e\r\n\r\n3;ext\r\nabc\r\n0\r\nx-t: 1\r\n\r\n"));
          }
          case "/early" -> {
            // answers at once, reading none of the body
            out.write(ascii("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 4\r\n\r\nbig\n"));
            out.flush();
            in.transferTo(OutputStream.nullOutputStream());
            return;
          }
          case "/slow" -> {
            // longer than the impatient front's idle timeout, with a request under way
            Thread.sleep(1000);
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nslow\n"));
          }
          case "/hold" -> {
            // reads none of the body until the test lets it
            held.acquire();
            skipBody(in, head);
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"));
          }
          case "/close" -> {
            out.write(ascii("HTTP/1.0 200 OK\r\nX-Old: 1\r\n\r\nuntil the close"));
            return;
          }
          default -> {
            skipBody(in, head);
            byte[] body = ascii(head);
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n"));
            out.write(body);
          }
        }
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // the test closed it
    }
  }

  /** Lets the app's {@code /hold} read its request's body. */
  private static final java.util.concurrent.Semaphore held = new java.util.concurrent.Semaphore(0);

  private static void skipBody(InputStream in, String head) throws IOException {
    var m = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
    if (m.find()) {
      in.readNBytes(Integer.parseInt(m.group(1)));
    }
  }

  /** Reads up to and including a blank line; null at the end of the stream. */
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

  private static Socket client() throws IOException {
    return client(front);
  }

  private static Socket client(FastFront to) throws IOException {
    Socket s = new Socket("127.0.0.1", to.port());
    s.setSoTimeout(10_000);
    return s;
  }

  @Test
  void aChunkedAnswerPassesWithItsTrailersAndWithoutItsHopByHopFields() throws Exception {
    try (Socket s = client()) {
      s.getOutputStream().write(ascii("GET /chunked HTTP/1.1\r\nHost: shop\r\n\r\n"));
      InputStream in = s.getInputStream();
      String head = readHead(in);
      assertThat(head)
          .startsWith("HTTP/1.1 200 OK\r\n")
          .contains("Transfer-Encoding: chunked\r\n", "Trailer: x-t\r\n", "X-End: e\r\n")
          .doesNotContainIgnoringCase("keep-alive")
          .doesNotContainIgnoringCase("x-hop")
          .doesNotContainIgnoringCase("connection");
      String body = new String(in.readNBytes("3;ext\r\nabc\r\n0\r\nx-t: 1\r\n\r\n".length()));
      assertThat(body).isEqualTo("3;ext\r\nabc\r\n0\r\nx-t: 1\r\n\r\n");

      // the connection goes on: what the app saw of the next request comes back as its body
      s.getOutputStream()
          .write(
              ascii(
                  "POST /seen HTTP/1.1\r\nHost: shop\r\nX-Custom: Keep\r\nConnection: X-Drop\r\n"
                      + "X-Drop: d\r\nTE: trailers\r\nX-Forwarded-For: 10.0.0.1\r\n"
                      + "Content-Length: 3\r\n\r\nabc"));
      String seenHead = readHead(in);
      var m = java.util.regex.Pattern.compile("Content-Length: (\\d+)").matcher(seenHead);
      assertThat(m.find()).isTrue();
      String seen = new String(in.readNBytes(Integer.parseInt(m.group(1))));
      assertThat(seen)
          .startsWith("POST /seen HTTP/1.1\r\n")
          .contains("X-Custom: Keep\r\n", "Content-Length: 3\r\n")
          .contains("x-forwarded-for: 10.0.0.1, 127.0.0.1\r\n")
          .contains("x-forwarded-host: shop\r\n", "x-forwarded-proto: http\r\n")
          .contains("forwarded: for=127.0.0.1;host=shop;proto=http\r\n")
          .doesNotContainIgnoringCase("x-drop")
          .doesNotContainIgnoringCase("connection")
          .doesNotContain("TE: trailers");
    }
  }

  @Test
  void aClientItDoesNotTrustHasItsForwardingFieldsReplaced() throws Exception {
    try (Socket s = new Socket("127.0.0.1", distrustful.port())) {
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      s.getOutputStream()
          .write(
              ascii(
                  "POST /seen HTTP/1.1\r\nHost: shop\r\nX-Forwarded-For: 10.6.6.6\r\n"
                      + "X-Forwarded-Host: bank.example\r\nX-Forwarded-Proto: https\r\n"
                      + "Forwarded: for=10.6.6.6;proto=https\r\nContent-Length: 3\r\n\r\nabc"));
      String seenHead = readHead(in);
      var m = java.util.regex.Pattern.compile("Content-Length: (\\d+)").matcher(seenHead);
      assertThat(m.find()).isTrue();
      String seen = new String(in.readNBytes(Integer.parseInt(m.group(1))));
      assertThat(seen)
          .contains("x-forwarded-for: 127.0.0.1\r\n")
          .contains("x-forwarded-host: shop\r\n", "x-forwarded-proto: http\r\n")
          .contains("forwarded: for=127.0.0.1;host=shop;proto=http\r\n")
          .doesNotContain("10.6.6.6", "bank.example", "https");
    }
  }

  @Test
  void anAnswerBeforeTheWholeBodyClosesTheConnectionAfterIt() throws Exception {
    try (Socket s = client()) {
      s.getOutputStream()
          .write(
              ascii("POST /early HTTP/1.1\r\nHost: shop\r\nContent-Length: 1000000\r\n\r\npart"));
      InputStream in = s.getInputStream();
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 413").containsIgnoringCase("connection: close");
      assertThat(new String(in.readNBytes(4))).isEqualTo("big\n");
      // the rest of that body can not be told from a next request: the connection ends
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void anAnswerThatEndsWithItsConnectionPassesWhole() throws Exception {
    try (Socket s = client()) {
      s.getOutputStream().write(ascii("GET /close HTTP/1.1\r\nHost: shop\r\n\r\n"));
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(all)
          .startsWith("HTTP/1.1 200 OK\r\n")
          .contains("X-Old: 1\r\n")
          .containsIgnoringCase("connection: close")
          .endsWith("\r\n\r\nuntil the close");
    }
  }

  @Test
  void aHeadTooLargeIsRefusedWith431() throws Exception {
    try (Socket s = client()) {
      // exactly the limit and no end of head: every byte sent is read before the answer
      String start = "GET / HTTP/1.1\r\nX-Big: ";
      s.getOutputStream().write(ascii(start + "a".repeat(FastFront.MAX_HEAD - start.length())));
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(all).startsWith("HTTP/1.1 431");
    }
  }

  @Test
  void anIdleConnectionClosesAfterTheTimeoutButASlowAnswerIsNotCut() throws Exception {
    try (Socket s = client(impatient)) {
      s.getOutputStream().write(ascii("GET /slow HTTP/1.1\r\nHost: shop\r\n\r\n"));
      InputStream in = s.getInputStream();
      assertThat(readHead(in)).startsWith("HTTP/1.1 200");
      assertThat(new String(in.readNBytes(5))).isEqualTo("slow\n");
      long idleFrom = System.nanoTime();
      assertThat(in.read()).isEqualTo(-1);
      long idleMs = (System.nanoTime() - idleFrom) / 1_000_000;
      assertThat(idleMs).isBetween(200L, 5_000L);
    }
  }

  @Test
  void aHeadNotCompleteWithinTheIdleTimeoutGets408() throws Exception {
    try (Socket s = client(impatient)) {
      s.getOutputStream().write(ascii("GET /never-ends HTTP/1.1\r\nHost: shop\r\n"));
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(all).startsWith("HTTP/1.1 408").containsIgnoringCase("connection: close");
    }
  }

  @Test
  void aBodyTheAppDoesNotReadHoldsTheClientBackInsteadOfFillingTheFront() throws Exception {
    long size = 128L * 1024 * 1024;
    var sent = new java.util.concurrent.atomic.AtomicLong();
    try (Socket s = client()) {
      Thread writer =
          new Thread(
              () -> {
                try {
                  OutputStream out = s.getOutputStream();
                  out.write(
                      ascii(
                          "POST /hold HTTP/1.1\r\nHost: shop\r\nContent-Length: "
                              + size
                              + "\r\n\r\n"));
                  byte[] chunk = new byte[64 * 1024];
                  for (long n = 0; n < size; n += chunk.length) {
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                  }
                } catch (IOException e) {
                  // the test ended
                }
              });
      writer.setDaemon(true);
      writer.start();
      // the client fills the socket buffers on the way, then stalls: the front reads no more than
      // the link to the app takes
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sent.get() > 0);
      var last = new java.util.concurrent.atomic.AtomicLong(-1);
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(300))
          .until(
              () -> {
                long now = sent.get();
                return last.getAndSet(now) == now;
              });
      assertThat(sent.get()).isLessThan(64L * 1024 * 1024);
      held.release();
      s.setSoTimeout(60_000); // the rest of the body first, on a busy machine
      String head = readHead(s.getInputStream());
      assertThat(head).startsWith("HTTP/1.1 200");
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> sent.get() == size);
    }
  }
}
