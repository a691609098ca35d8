package io.sidetrack.router.preview;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.tunnel.PreviewAccess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The preview listener over real sockets: a Vert.x client as the visitor, the listener, and a real
 * upstream app that records what reached it.
 */
@Timeout(60)
class PreviewListenerIT {
  static final String TOKEN = "router-token-0123456789";
  static final String BOB_TOKEN = "bob-router-token-0123456789";
  static final PreviewSite SITE = new PreviewSite("preview.localhost", false);

  static Vertx vertx;
  static HttpServer app;
  static HttpClient client;
  static PreviewListener listener;
  static final Previews previews = new Previews();
  static final List<JsonObject> seen = new CopyOnWriteArrayList<>();
  static final AtomicLong uploaded = new AtomicLong();
  static volatile CompletableFuture<Void> firstUploadBytes = new CompletableFuture<>();
  static volatile CompletableFuture<Void> downloadGo = new CompletableFuture<>();
  static final BlockingQueue<CompletableFuture<Void>> eventAcks = new LinkedBlockingQueue<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    app =
        vertx
            .createHttpServer()
            .requestHandler(PreviewListenerIT::serve)
            .webSocketHandler(
                ws -> {
                  seen.add(new JsonObject().put("ws", ws.headers().get("x-sidetrack-id")));
                  ws.handler(b -> ws.write(Buffer.buffer("echo:").appendBuffer(b)));
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    listener =
        PreviewListener.start(
                vertx,
                "127.0.0.1",
                0,
                SITE,
                previews,
                Map.of("demo", new PreviewUpstream("127.0.0.1", app.actualPort())),
                t ->
                    TOKEN.equals(t)
                        ? Future.succeededFuture("alice")
                        : BOB_TOKEN.equals(t)
                            ? Future.succeededFuture("bob")
                            : Future.failedFuture("unknown token"))
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    client = vertx.createHttpClient();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  /** The app: records each request's fields; a few paths stream. */
  static void serve(HttpServerRequest req) {
    switch (req.path()) {
      case "/upload" -> {
        req.handler(
            chunk -> {
              uploaded.addAndGet(chunk.length());
              firstUploadBytes.complete(null);
            });
        req.endHandler(v -> req.response().end("uploaded " + uploaded.get()));
      }
      case "/download" -> {
        req.response().setChunked(true).write("first;");
        downloadGo.thenRun(() -> vertx.runOnContext(v -> req.response().end("rest")));
      }
      case "/events" -> {
        req.response().setChunked(true).putHeader("content-type", "text/event-stream");
        sendEvent(req, 1);
      }
      default ->
          req.body()
              .onSuccess(
                  body -> {
                    JsonObject r =
                        new JsonObject()
                            .put("method", req.method().name())
                            .put("uri", req.uri())
                            .put("host", req.getHeader("host"))
                            .put("id", req.headers().getAll("x-sidetrack-id"))
                            .put("baggage", req.headers().getAll("baggage"))
                            .put("cookie", req.getHeader("cookie"))
                            .put("other", req.getHeader("x-other"))
                            .put("body", body.length());
                    seen.add(r);
                    req.response().putHeader("x-app", "demo").end(r.encode());
                  });
    }
  }

  /** Sends event {@code n}, then the next only once the visitor saw this one. */
  static void sendEvent(HttpServerRequest req, int n) {
    CompletableFuture<Void> ack = new CompletableFuture<>();
    eventAcks.add(ack);
    req.response().write("data: event " + n + "\n\n");
    if (n == 3) {
      req.response().end();
      return;
    }
    ack.thenRun(() -> vertx.setTimer(100, t -> sendEvent(req, n + 1)));
  }

  static String open(String interceptId, PreviewAccess access, int upstreamPort) {
    return previews
        .open(
            interceptId,
            "alice",
            "demo",
            new PreviewUpstream("127.0.0.1", upstreamPort),
            "x-sidetrack-id",
            "alice",
            access)
        .code();
  }

  static RequestOptions to(String host, HttpMethod method, String uri) {
    return new RequestOptions()
        .setServer(SocketAddress.inetSocketAddress(listener.port(), "127.0.0.1"))
        .setHost(host)
        .setPort(listener.port())
        .setMethod(method)
        .setURI(uri);
  }

  static String host(String code) {
    return code + "." + SITE.domain();
  }

  record Answer(int status, io.vertx.core.MultiMap headers, String body) {}

  static Answer send(RequestOptions options, String body) throws Exception {
    return client
        .request(options)
        .compose(
            r -> {
              Future<HttpClientResponse> sent = body == null ? r.send() : r.send(body);
              return sent.compose(
                  res ->
                      res.body()
                          .map(b -> new Answer(res.statusCode(), res.headers(), b.toString())));
            })
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void theInterceptsHeaderAndBaggageAreAddedTheCookieIsStrippedAndHostKept() throws Exception {
    String code = open("i-fields", PreviewAccess.PUBLIC, app.actualPort());
    RequestOptions options =
        to(host(code), HttpMethod.POST, "/orders/1?x=y")
            .addHeader("x-sidetrack-id", "mallory")
            .addHeader("baggage", "tenant=t1,sidetrack-id=mallory")
            .addHeader("cookie", "app=1; sidetrack-preview=whatever")
            .addHeader("x-other", "kept");
    Answer a = send(options, "hello");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.headers().get("x-app")).isEqualTo("demo");
    assertThat(a.headers().get("referrer-policy")).isEqualTo("same-origin");
    JsonObject r = new JsonObject(a.body());
    assertThat(r.getString("method")).isEqualTo("POST");
    assertThat(r.getString("uri")).isEqualTo("/orders/1?x=y");
    assertThat(r.getString("host")).isEqualTo(host(code) + ":" + listener.port());
    assertThat(r.getJsonArray("id").getList()).containsExactly("alice");
    assertThat(r.getJsonArray("baggage").getList()).containsExactly("tenant=t1,sidetrack-id=alice");
    assertThat(r.getString("cookie")).isEqualTo("app=1");
    assertThat(r.getString("other")).isEqualTo("kept");
    assertThat(r.getInteger("body")).isEqualTo(5);
  }

  @Test
  void requestAndResponseBodiesStreamThroughWithoutWaitingForTheirEnd() throws Exception {
    String code = open("i-stream", PreviewAccess.PUBLIC, app.actualPort());
    firstUploadBytes = new CompletableFuture<>();
    uploaded.set(0);
    HttpClientRequest up = await(client.request(to(host(code), HttpMethod.POST, "/upload")));
    up.setChunked(true);
    Future<HttpClientResponse> upResponse = up.response();
    up.write(Buffer.buffer(new byte[1000]));
    // the app sees the first bytes while the rest of the body is still to come
    firstUploadBytes.get(10, TimeUnit.SECONDS);
    up.end(Buffer.buffer(new byte[500]));
    assertThat(await(upResponse.compose(HttpClientResponse::body)).toString())
        .isEqualTo("uploaded 1500");

    downloadGo = new CompletableFuture<>();
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> ended = new CompletableFuture<>();
    StringBuilder all = new StringBuilder();
    // the handlers go on as the answer arrives, on its event loop, so no chunk passes unseen
    await(
        client
            .request(to(host(code), HttpMethod.GET, "/download"))
            .compose(r -> r.send())
            .onSuccess(
                down -> {
                  down.handler(
                      b -> {
                        all.append(b);
                        first.complete(b.toString());
                      });
                  down.endHandler(v -> ended.complete(all.toString()));
                }));
    // the visitor has the first chunk before the app wrote the rest
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first;");
    downloadGo.complete(null);
    assertThat(ended.get(10, TimeUnit.SECONDS)).isEqualTo("first;rest");
  }

  @Test
  void serverSentEventsArriveOneByOne() throws Exception {
    String code = open("i-sse", PreviewAccess.PUBLIC, app.actualPort());
    eventAcks.clear();
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    HttpClientResponse events =
        await(
            client
                .request(
                    to(host(code), HttpMethod.GET, "/events")
                        .addHeader("accept", "text/event-stream"))
                .compose(r -> r.send())
                .onSuccess(res -> res.handler(b -> got.add(b.toString()))));
    assertThat(events.getHeader("content-type")).isEqualTo("text/event-stream");
    for (int n = 1; n <= 3; n++) {
      // the app sends event n+1 only after this visitor saw event n: nothing waits for the end
      assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("data: event " + n + "\n\n");
      eventAcks.take().complete(null);
    }
  }

  @Test
  void aWebSocketEchoesThroughTheUpgradeWithTheHeaderAdded() throws Exception {
    String code = open("i-ws", PreviewAccess.PUBLIC, app.actualPort());
    WebSocketClient ws = vertx.createWebSocketClient();
    WebSocketConnectOptions options = new WebSocketConnectOptions();
    options
        .setHost("127.0.0.1")
        .setPort(listener.port())
        .setURI("/socket")
        .putHeader("host", host(code) + ":" + listener.port());
    var socket = await(ws.connect(options));
    CompletableFuture<String> echoed = new CompletableFuture<>();
    socket.handler(b -> echoed.complete(b.toString()));
    socket.writeTextMessage("ping");
    assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("echo:ping");
    assertThat(seen).contains(new JsonObject().put("ws", "alice"));
    socket.close();
  }

  @Test
  void anEndedPreviewSaysSoAnUnknownOneIsNotFoundAndAForeignHostMisdirected() throws Exception {
    String code = open("i-end", PreviewAccess.PUBLIC, app.actualPort());
    assertThat(send(to(host(code), HttpMethod.GET, "/"), null).status()).isEqualTo(200);
    previews.end("i-end");
    Answer ended = send(to(host(code), HttpMethod.GET, "/"), null);
    assertThat(ended.status()).isEqualTo(410);
    assertThat(ended.body()).contains("The intercept behind this preview ended");
    assertThat(ended.headers().get("cache-control")).isEqualTo("no-store");

    Answer unknown = send(to(host(new PreviewCodes().newCode()), HttpMethod.GET, "/"), null);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(send(to(SITE.domain(), HttpMethod.GET, "/"), null).status()).isEqualTo(404);
    assertThat(send(to("example.com", HttpMethod.GET, "/"), null).status()).isEqualTo(421);
  }

  @Test
  void aTokenPreviewSignsItsOwnerInOnceWithACookieOfItsHostAndRefusesAnotherDeveloper()
      throws Exception {
    String code = open("i-token", PreviewAccess.TOKEN, app.actualPort());
    int before = seen.size();
    Answer form =
        send(
            to(host(code), HttpMethod.GET, "/page?x=1").addHeader("sec-fetch-mode", "navigate"),
            null);
    assertThat(form.status()).isEqualTo(401);
    assertThat(form.body()).contains("<form method=\"post\"").contains("value=\"/page?x=1\"");
    Answer script =
        send(to(host(code), HttpMethod.GET, "/api").addHeader("sec-fetch-mode", "cors"), null);
    assertThat(script.status()).isEqualTo(401);
    assertThat(script.body()).doesNotContain("<form").contains("sign in first");

    RequestOptions post =
        to(host(code), HttpMethod.POST, PreviewSignIn.PATH)
            .addHeader("content-type", "application/x-www-form-urlencoded");
    Answer wrong = send(post, "token=not-a-token-at-all&next=%2Fpage%3Fx%3D1");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.body()).contains("That token is not one of this router&#39;s: unknown token");
    assertThat(wrong.headers().contains("set-cookie")).isFalse();
    // a token of the router, but another developer's: the preview is its owner's only
    Answer bobs = send(post, "token=" + BOB_TOKEN + "&next=%2Fpage%3Fx%3D1");
    assertThat(bobs.status()).isEqualTo(403);
    assertThat(bobs.body()).contains("open only to its owner, alice; the token is of bob");
    assertThat(bobs.headers().contains("set-cookie")).isFalse();

    Answer right = send(post, "token=" + TOKEN + "&next=%2Fpage%3Fx%3D1");
    assertThat(right.status()).isEqualTo(303);
    assertThat(right.headers().get("location")).isEqualTo("/page?x=1");
    String setCookie = right.headers().get("set-cookie");
    assertThat(setCookie)
        .startsWith("sidetrack-preview=")
        .contains("; HttpOnly", "; SameSite=Lax", "; Path=/")
        .doesNotContainIgnoringCase("domain")
        .doesNotContain("Secure");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    assertThat(seen).hasSize(before); // nothing reached the app before signing in

    Answer page =
        send(to(host(code), HttpMethod.GET, "/page?x=1").addHeader("cookie", cookie), null);
    assertThat(page.status()).isEqualTo(200);
    JsonObject r = new JsonObject(page.body());
    assertThat(r.getString("uri")).isEqualTo("/page?x=1");
    assertThat(r.getString("cookie")).isNull();

    // the session is this preview's: another preview's host does not take it
    String other = open("i-token-2", PreviewAccess.TOKEN, app.actualPort());
    assertThat(
            send(to(host(other), HttpMethod.GET, "/").addHeader("cookie", cookie), null).status())
        .isEqualTo(401);
    // and it dies with the intercept
    previews.end("i-token");
    assertThat(send(to(host(code), HttpMethod.GET, "/").addHeader("cookie", cookie), null).status())
        .isEqualTo(410);
  }

  @Test
  void anUnreachableWorkloadGetsA502PageAtOnce() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    String code = open("i-down", PreviewAccess.PUBLIC, closed);
    long t0 = System.nanoTime();
    Answer a = send(to(host(code), HttpMethod.GET, "/"), null);
    assertThat(a.status()).isEqualTo(502);
    assertThat(a.body()).contains("could not reach workload <code>demo</code>");
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(6);
  }
}
