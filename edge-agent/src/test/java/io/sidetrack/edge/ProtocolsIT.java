package io.sidetrack.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.embedded.Zeros;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Traffic that is not a plain request and response passes the agent: WebSocket upgrades,
 * server-sent events as they are sent, HTTP/2 without TLS with trailers (as gRPC uses them), and
 * large bodies streamed both ways. The app is a real HTTP server on port 0.
 */
@Timeout(180)
class ProtocolsIT {
  static Vertx vertx;
  static HttpServer app;
  static EdgeAgent agent;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    app =
        vertx
            .createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
            .webSocketHandler(ws -> ws.textMessageHandler(m -> ws.writeTextMessage("echo:" + m)))
            .requestHandler(
                req -> {
                  switch (req.path()) {
                    case "/events" -> {
                      var res =
                          req.response()
                              .setChunked(true)
                              .putHeader("content-type", "text/event-stream");
                      res.write("data: one\n\n");
                      vertx.setTimer(300, t -> res.write("data: two\n\n"));
                      vertx.setTimer(600, t -> res.end("data: three\n\n"));
                    }
                    case "/grpc" -> {
                      var res = req.response();
                      res.putHeader("content-type", "application/grpc");
                      res.putTrailer("grpc-status", "0");
                      res.putTrailer("grpc-message", "ok");
                      req.body().onSuccess(b -> res.end(Buffer.buffer("reply:" + b.length())));
                    }
                    case "/upload" -> {
                      AtomicLong n = new AtomicLong();
                      req.handler(b -> n.addAndGet(b.length()));
                      req.endHandler(v -> req.response().end("received:" + n.get()));
                    }
                    case "/download" -> {
                      long size = Long.parseLong(req.getParam("size"));
                      var res = req.response().putHeader("content-length", String.valueOf(size));
                      Zeros.write(res, size);
                    }
                    default -> req.response().end("app");
                  }
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    agent =
        EdgeAgent.start(
            EdgeAgentConfig.of(
                    "protocols",
                    "127.0.0.1",
                    0,
                    "127.0.0.1",
                    app.actualPort(),
                    SharedInfrastructure.kafka(),
                    SchemaRegistryConfig.of(SharedInfrastructure.schemaRegistry()))
                .withTopicPrefix("p" + System.nanoTime() + ".")
                .withTrustedRouters(TestRouterKeys.TRUSTED)
                .withAppHttp2(true));
  }

  @AfterAll
  static void stop() {
    agent.close();
    vertx.close();
  }

  @Test
  void webSocketUpgradePassesThrough() throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    var ws =
        client
            .connect(
                new WebSocketConnectOptions()
                    .setHost("127.0.0.1")
                    .setPort(agent.port())
                    .setURI("/ws"))
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    List<String> got = new CopyOnWriteArrayList<>();
    ws.textMessageHandler(got::add);
    ws.writeTextMessage("hello");
    ws.writeTextMessage("again");
    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 2);
    assertThat(got).containsExactly("echo:hello", "echo:again");
    ws.close();
  }

  @Test
  void serverSentEventsArriveAsTheyAreSent() throws Exception {
    var client = vertx.createHttpClient();
    List<Long> arrivals = new CopyOnWriteArrayList<>();
    StringBuilder body = new StringBuilder();
    long start = System.nanoTime();
    client
        .request(HttpMethod.GET, agent.port(), "127.0.0.1", "/events")
        .compose(r -> r.send())
        .onSuccess(
            resp ->
                resp.handler(
                    b -> {
                      arrivals.add((System.nanoTime() - start) / 1_000_000);
                      synchronized (body) {
                        body.append(b.toString());
                      }
                    }));
    await().atMost(Duration.ofSeconds(10)).until(() -> body.toString().contains("three"));
    assertThat(body.toString()).isEqualTo("data: one\n\ndata: two\n\ndata: three\n\n");
    // the first event came well before the last: nothing buffered the stream
    assertThat(arrivals.get(arrivals.size() - 1) - arrivals.get(0)).isGreaterThan(400);
  }

  @Test
  void http2WithoutTlsCarriesTrailersToTheApp() throws Exception {
    var client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
    var response =
        client
            .request(
                new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setHost("127.0.0.1")
                    .setPort(agent.port())
                    .setURI("/grpc")
                    .putHeader("content-type", "application/grpc"))
            .compose(r -> r.send(Buffer.buffer("12345")))
            .compose(resp -> resp.body().map(b -> List.of(resp, b)))
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    var resp = (io.vertx.core.http.HttpClientResponse) response.get(0);
    assertThat(resp.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(response.get(1).toString()).isEqualTo("reply:5");
    assertThat(resp.trailers().get("grpc-status")).isEqualTo("0");
    assertThat(resp.trailers().get("grpc-message")).isEqualTo("ok");
  }

  @Test
  void largeBodiesStreamBothWays() throws Exception {
    long size = 64L * 1024 * 1024;
    var client = vertx.createHttpClient();
    String uploaded =
        client
            .request(
                new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setHost("127.0.0.1")
                    .setPort(agent.port())
                    .setURI("/upload")
                    .putHeader("content-length", String.valueOf(size)))
            .compose(
                req -> {
                  Zeros.write(req, size);
                  return req.response();
                })
            .compose(r -> r.body())
            .map(Buffer::toString)
            .toCompletionStage()
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    assertThat(uploaded).isEqualTo("received:" + size);

    AtomicLong downloaded = new AtomicLong();
    client
        .request(HttpMethod.GET, agent.port(), "127.0.0.1", "/download?size=" + size)
        .compose(r -> r.send())
        .compose(
            resp -> {
              resp.handler(b -> downloaded.addAndGet(b.length()));
              return resp.end();
            })
        .toCompletionStage()
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    assertThat(downloaded.get()).isEqualTo(size);
  }
}
