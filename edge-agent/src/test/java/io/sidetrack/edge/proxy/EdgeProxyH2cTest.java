package io.sidetrack.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sidetrack.core.http.ForwardedTrust;
import io.sidetrack.edge.bridge.BaggageBridging;
import io.sidetrack.edge.dispatch.Dispatcher;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.internal.VertxInternal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The full proxy before a JDK client, which upgrades its first request to h2c and sends the rest as
 * HTTP/2 streams on that one connection: matched and unmatched requests alternate on it, as in the
 * CLI's InterceptIT.
 */
@Timeout(60)
class EdgeProxyH2cTest {
  private static final BaggageBridging BRIDGING =
      new BaggageBridging(true, new SimpleMeterRegistry());
  private static Vertx vertx;
  private static HttpServer app;
  private static HttpServer router;
  private static EdgeProxy proxy;
  private static int port;
  private static FastFront front;
  private static int frontPort;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    app = answering("app");
    router = answering("router");
    Dispatcher dispatcher = AliceRoute.dispatcherToRouterAt(router.actualPort());
    proxy =
        new EdgeProxy(
            vertx,
            dispatcher,
            BRIDGING,
            ForwardedTrust.privateNetworks(),
            "shop",
            "127.0.0.1",
            app.actualPort(),
            false,
            Duration.ofSeconds(2));
    port = proxy.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get();
    front =
        new FastFront(
            (VertxInternal) vertx,
            dispatcher,
            BRIDGING,
            ForwardedTrust.privateNetworks(),
            proxy,
            "shop",
            "127.0.0.1",
            app.actualPort(),
            2000,
            Duration.ZERO);
    frontPort = front.listen("127.0.0.1", 0, port).toCompletionStage().toCompletableFuture().get();
  }

  /**
   * A server that answers with its name and the path, after 100 Continue as the router does; {@code
   * /w} it answers 502 at once.
   */
  private static HttpServer answering(String name) throws Exception {
    return vertx
        .createHttpServer()
        .requestHandler(
            req -> {
              if (req.path().startsWith("/w")) {
                // as a router whose developer's app is down: a 502 at once, no 100 Continue
                req.response().setStatusCode(502).end("nothing answers");
                return;
              }
              if ("100-continue".equalsIgnoreCase(req.getHeader(HttpHeaders.EXPECT))) {
                req.response().writeContinue();
              }
              req.body().onSuccess(b -> req.response().end(name + ":" + req.path()));
            })
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    front.close();
    proxy.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String get(HttpClient client, int to, String id, String path) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to + path))
            .timeout(Duration.ofSeconds(10));
    if (id != null) {
      b.header("x-sidetrack-id", id);
    }
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return r.version() + " " + r.statusCode() + " " + r.body();
  }

  @Test
  void matchedAndUnmatchedRequestsAlternateOnOneH2cConnection() throws Exception {
    alternate(port);
  }

  @Test
  void matchedAndUnmatchedRequestsAlternateOnOneH2cConnectionHandedOffByTheFastFront()
      throws Exception {
    alternate(frontPort);
  }

  private static void alternate(int to) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    assertThat(get(client, to, "alice", "/w")).endsWith("502 nothing answers");
    assertThat(get(client, to, "alice", "/a")).endsWith("200 router:/a");
    assertThat(get(client, to, "alice", "/b")).isEqualTo("HTTP_2 200 router:/b");
    assertThat(get(client, to, null, "/c")).isEqualTo("HTTP_2 200 app:/c");
    assertThat(get(client, to, "carol", "/d")).isEqualTo("HTTP_2 200 app:/d");
    assertThat(get(client, to, "alice", "/e")).isEqualTo("HTTP_2 200 router:/e");
  }
}
