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
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.VertxInternal;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Baggage bridging on real sockets, on each of the agent's request paths: a raw app and a raw
 * router on loopback answer with the head they got, and two agents (bridging on, and {@code
 * --bridge-baggage=false}) each run a fast front with its full Vert.x proxy behind it.
 */
@Timeout(60)
class BaggageBridgeProxyTest {
  /** How a request reaches the agent, and so which path carries it. */
  enum Path {
    /** HTTP/1.1 to the fast front: relayed as bytes. */
    FAST_FRONT,
    /** HTTP/1.1 to the full proxy's own port: the path of {@code --fast-front false}. */
    VERTX,
    /** HTTP/1.0 to the fast front, which hands it to the full proxy. */
    HANDED_OFF
  }

  private static Vertx vertx;
  private static HeadEcho app;
  private static HeadEcho router;
  private static Agent on;
  private static Agent off;
  private static Agent distrustful;

  /** One agent: its two paths and its bridging's counters. */
  record Agent(EdgeProxy proxy, FastFront front, SimpleMeterRegistry meters) {
    int port(Path path) {
      return path == Path.VERTX ? proxy.port() : front.port();
    }

    double skipped(String reason) {
      return meters.get("sidetrack.agent.baggage.skipped").tag("reason", reason).counter().count();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    app = new HeadEcho("app");
    router = new HeadEcho("router");
    String live = "127.0.0.1:" + router.port();
    String unreachable;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      unreachable = "127.0.0.1:" + s.getLocalPort();
    }
    RouteTable table =
        RouteTable.compile(
            List.of(
                route("alice", MatchRules.header("x-sidetrack-id", "alice"), live),
                route("carol", MatchRules.header("x-user", "carol"), live),
                route("down", MatchRules.header("x-user", "down"), unreachable)));
    Dispatcher dispatcher =
        new Dispatcher(
            () -> table,
            route -> true,
            new RouterBreaker(100, Duration.ofSeconds(1)),
            new DispatchMetrics(new SimpleMeterRegistry()));
    on = agent(dispatcher, true);
    off = agent(dispatcher, false);
    distrustful = agent(dispatcher, true, ForwardedTrust.parse("none"));
  }

  private static Route route(String id, MatchRules rules, String target) {
    return new Route(id, "shop", "dev-" + id, rules, target, Instant.EPOCH, FailureMode.FAIL_OPEN);
  }

  private static Agent agent(Dispatcher dispatcher, boolean bridge) throws Exception {
    return agent(dispatcher, bridge, ForwardedTrust.privateNetworks());
  }

  private static Agent agent(Dispatcher dispatcher, boolean bridge, ForwardedTrust trust)
      throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    BaggageBridging bridging = new BaggageBridging(bridge, meters);
    EdgeProxy proxy =
        new EdgeProxy(
            vertx,
            dispatcher,
            bridging,
            trust,
            "shop",
            "127.0.0.1",
            app.port(),
            false,
            Duration.ofSeconds(2));
    int full = proxy.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get();
    FastFront front =
        new FastFront(
            (VertxInternal) vertx,
            dispatcher,
            bridging,
            trust,
            proxy,
            "shop",
            "127.0.0.1",
            app.port(),
            2000,
            Duration.ofSeconds(60));
    front.listen("127.0.0.1", 0, full).toCompletionStage().toCompletableFuture().get();
    return new Agent(proxy, front, meters);
  }

  @AfterAll
  static void stop() throws Exception {
    for (Agent a : new Agent[] {on, off, distrustful}) {
      if (a != null) {
        a.front().close();
        a.proxy().close();
      }
    }
    app.close();
    router.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /**
   * What the app or router saw of a GET with {@code fields} (CRLF-ended lines) via {@code path}.
   */
  private static String send(Agent agent, Path path, String fields) throws IOException {
    String version = path == Path.HANDED_OFF ? "HTTP/1.0" : "HTTP/1.1";
    try (Socket s = new Socket("127.0.0.1", agent.port(path))) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              ("GET /orders " + version + "\r\nHost: shop\r\n" + fields + "\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = s.getInputStream();
      String head = HeadEcho.readHead(in);
      assertThat(head).as("answer").isNotNull().startsWith("HTTP/1.");
      Matcher m = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
      assertThat(m.find()).as(head).isTrue();
      return new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.ISO_8859_1);
    }
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void aTrustedClientsForwardingFieldsGoOnWithTheClientAppended(Path path) throws Exception {
    String seen = send(on, path, "x-forwarded-for: 10.9.9.9\r\nx-forwarded-proto: https\r\n");
    assertThat(seen.toLowerCase())
        .startsWith("app saw:")
        .contains("x-forwarded-for: 10.9.9.9, 127.0.0.1\r\n", "x-forwarded-proto: https\r\n");
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void anUntrustedClientsForwardingFieldsAreReplacedByWhatTheAgentSaw(Path path) throws Exception {
    String seen =
        send(
            distrustful,
            path,
            "x-forwarded-for: 10.9.9.9\r\nx-forwarded-host: bank.example\r\n"
                + "x-forwarded-proto: https\r\nforwarded: for=10.9.9.9;proto=https\r\n");
    assertThat(seen.toLowerCase())
        .startsWith("app saw:")
        .contains(
            "x-forwarded-for: 127.0.0.1\r\n",
            "x-forwarded-host: shop\r\n",
            "x-forwarded-proto: http\r\n",
            "forwarded: for=127.0.0.1;host=shop;proto=http\r\n")
        .doesNotContain("10.9.9.9", "bank.example", "https");
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void anUnmatchedRequestWithTheIdHeaderReachesTheAppWithTheMemberAfterItsOwn(Path path)
      throws Exception {
    String seen = send(on, path, "x-sidetrack-id: bob\r\nbaggage: a=1;p\r\n");
    assertThat(seen)
        .startsWith("app saw:")
        .contains("baggage: a=1;p,sidetrack-id=bob\r\n", "x-sidetrack-id: bob\r\n");
    assertThat(count(seen, "sidetrack-id=")).isEqualTo(1);
    assertThat(count(seen.toLowerCase(), "baggage:")).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void severalBaggageFieldsAreOneListThatTheMemberEnds(Path path) throws Exception {
    String seen = send(on, path, "baggage: a=1\r\nx-sidetrack-id: bob\r\nbaggage: b=2\r\n");
    assertThat(seen)
        .startsWith("app saw:")
        .contains("baggage: a=1\r\n", "baggage: b=2,sidetrack-id=bob\r\n");
    assertThat(seen.indexOf("baggage: a=1")).isLessThan(seen.indexOf("baggage: b=2"));
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void aMatchedRequestReachesTheRouterWithTheMember(Path path) throws Exception {
    assertThat(send(on, path, "x-sidetrack-id: alice\r\n"))
        .startsWith("router saw:")
        .contains("sidetrack-intercept-id: alice\r\n", "baggage: sidetrack-id=alice\r\n");
    assertThat(send(on, path, "x-user: carol\r\nbaggage: a=1\r\n"))
        .as("matched by another header: the route's owner")
        .startsWith("router saw:")
        .contains("sidetrack-intercept-id: carol\r\n", "baggage: a=1,sidetrack-id=dev-carol\r\n");
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void withBridgingOffNothingIsAdded(Path path) throws Exception {
    String toApp = send(off, path, "x-sidetrack-id: bob\r\nbaggage: a=1;p\r\n");
    assertThat(toApp)
        .startsWith("app saw:")
        .contains("baggage: a=1;p\r\n")
        .doesNotContain("sidetrack-id=");
    String toRouter = send(off, path, "x-sidetrack-id: alice\r\n");
    assertThat(toRouter).startsWith("router saw:").doesNotContainIgnoringCase("baggage");
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void aRequestThatCarriesTheMemberIsLeftAlone(Path path) throws Exception {
    String seen = send(on, path, "x-sidetrack-id: bob\r\nbaggage: sidetrack-id=zed, a=1\r\n");
    assertThat(seen).startsWith("app saw:").contains("baggage: sidetrack-id=zed, a=1\r\n");
    assertThat(count(seen, "sidetrack-id=")).isEqualTo(1);
    assertThat(send(on, path, "x-sidetrack-id: alice\r\nbaggage: sidetrack-id=alice\r\n"))
        .startsWith("router saw:")
        .contains("baggage: sidetrack-id=alice\r\n");
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void aRequestWithoutTheHeaderThatGoesToTheAppGetsNoMember(Path path) throws Exception {
    assertThat(send(on, path, "")).startsWith("app saw:").doesNotContainIgnoringCase("baggage");
    assertThat(send(on, path, "baggage: a=1\r\n"))
        .contains("baggage: a=1\r\n")
        .doesNotContain("sidetrack-id=");
    assertThat(send(on, path, "x-user: down\r\n"))
        .as("matched, fallen back to the app: served as if unmatched")
        .startsWith("app saw:")
        .doesNotContainIgnoringCase("baggage");
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void theIdIsPercentEncodedAsUtf8(Path path) throws Exception {
    String utf8 = new String("é".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    assertThat(send(on, path, "x-sidetrack-id: a b;c,d=" + utf8 + "\r\n"))
        .contains("baggage: sidetrack-id=a%20b%3Bc%2Cd=%C3%A9\r\n");
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void aFullListIsLeftAloneAndCounted(Path path) throws Exception {
    String full = String.join(",", Collections.nCopies(64, "k=v"));
    double before = on.skipped("too-many-members");
    String seen = send(on, path, "x-sidetrack-id: bob\r\nbaggage: " + full + "\r\n");
    assertThat(seen).contains("baggage: " + full + "\r\n").doesNotContain("sidetrack-id=");
    assertThat(on.skipped("too-many-members")).isEqualTo(before + 1);
  }

  /** HTTP/2 (h2c, prior knowledge) reaches the full proxy, which relays it over HTTP/1.1. */
  @Test
  void anH2cRequestIsBridgedToTheAppAndToTheRouter() throws Exception {
    var client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
    try {
      assertThat(h2(client, "bob"))
          .startsWith("app saw:")
          .contains("baggage: a=1,sidetrack-id=bob\r\n");
      assertThat(h2(client, "alice"))
          .startsWith("router saw:")
          .contains("baggage: a=1,sidetrack-id=alice\r\n");
    } finally {
      client.close();
    }
  }

  private static String h2(io.vertx.core.http.HttpClient client, String id) throws Exception {
    return client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost("127.0.0.1")
                .setPort(on.proxy().port())
                .setURI("/h2")
                .putHeader("x-sidetrack-id", id)
                .putHeader("baggage", "a=1"))
        .compose(
            r ->
                r.send()
                    .compose(
                        (HttpClientResponse response) -> {
                          assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
                          return response.body();
                        }))
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS)
        .toString(StandardCharsets.ISO_8859_1);
  }
}
