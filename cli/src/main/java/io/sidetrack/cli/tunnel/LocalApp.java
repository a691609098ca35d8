package io.sidetrack.cli.tunnel;

import io.sidetrack.tunnel.EndToEndHeaders;
import io.sidetrack.tunnel.Frames.RequestHead;
import io.sidetrack.tunnel.Frames.ResponseHead;
import io.sidetrack.tunnel.Mux;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.Set;

/**
 * The laptop's end of each relayed request: calls the developer's local app with it and streams the
 * answer (head, body, trailers) back through the tunnel. HTTP/1.1 by default; h2c with prior
 * knowledge as {@link AppProtocol} decides, with {@code TE: trailers} (RFC 9113 section 8.2.2), so
 * gRPC's status in the trailers comes back. A reset stream (the caller went away, a deadline
 * passed) resets the local call.
 *
 * <p>Runs on the tunnel's context (the mux's).
 */
final class LocalApp {
  /** The fields of a gRPC status: in a trailers-only response they arrive in the head. */
  private static final List<String> GRPC_STATUS =
      List.of("grpc-status", "grpc-message", "grpc-status-details-bin");

  private final Context context;
  private final String host;
  private final int port;
  private final AppProtocol protocol;
  private final TunnelEvents events;
  private final HttpClient http1;
  private final HttpClient h2c;

  LocalApp(
      Vertx vertx,
      Context context,
      String host,
      int port,
      AppProtocol protocol,
      TunnelEvents events) {
    this.context = context;
    this.host = host;
    this.port = port;
    this.protocol = protocol;
    this.events = events;
    this.http1 =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
            new PoolOptions().setHttp1MaxSize(256));
    this.h2c =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false)
                .setTcpNoDelay(true),
            new PoolOptions().setHttp2MaxSize(8));
  }

  /** Calls the local app with the request a channel carries. */
  void serve(Mux.Channel ch) {
    RequestHead head = ch.request();
    long t0 = System.nanoTime();
    boolean overH2c = protocol.h2c(head.headers(), head.upgrade());
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.valueOf(head.method()))
            .setURI(head.uri())
            .setHost(host)
            .setPort(port);
    (overH2c ? h2c : http1)
        .request(options)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                answer(ch, 502, "nothing answers on " + host + ":" + port, t0);
                return;
              }
              HttpClientRequest up = ar.result();
              up.exceptionHandler(e -> {});
              EndToEndHeaders.copy(head.headers(), up.headers(), head.upgrade(), Set.of("host"));
              if (overH2c) {
                up.headers().set("te", "trailers");
              }
              String authority = head.headers().get(HttpHeaders.HOST);
              HostAndPort parsed =
                  authority == null ? null : HostAndPort.parseAuthority(authority, -1);
              if (parsed != null) {
                up.authority(parsed);
              }
              ch.resetHandler(why -> up.reset());
              if (head.upgrade()) {
                upgrade(ch, up, t0);
                return;
              }
              if (head.hasBody() && !up.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
                up.setChunked(true); // HTTP/1.1 chunked coding; HTTP/2 frames the body anyway
              }
              up.response()
                  .onComplete(
                      r -> {
                        if (r.failed()) {
                          failed(ch, r.cause(), t0);
                        } else {
                          relayResponse(ch, r.result(), t0);
                        }
                      });
              ch.sinkTo(up, trailers -> up.end());
            });
  }

  private void relayResponse(Mux.Channel ch, HttpClientResponse resp, long t0) {
    resp.pause();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    EndToEndHeaders.copy(resp.headers(), headers, false, Set.of());
    MultiMap statusInHead = MultiMap.caseInsensitiveMultiMap();
    if (resp.version() == HttpVersion.HTTP_2 && headers.contains(GRPC_STATUS.get(0))) {
      // a trailers-only gRPC response: the status goes in the trailers, where the hops after the
      // tunnel (HTTP/1.1 chunked, then the agent) carry it and where a gRPC client looks for it
      for (String name : GRPC_STATUS) {
        statusInHead.add(name, headers.getAll(name));
        headers.remove(name);
      }
    }
    ch.sendHead(new ResponseHead(resp.statusCode(), resp.statusMessage(), headers));
    ch.pump(
        resp,
        context,
        () -> MultiMap.caseInsensitiveMultiMap().addAll(statusInHead).addAll(resp.trailers()),
        () -> log(ch.request(), resp.statusCode(), t0));
  }

  private void upgrade(Mux.Channel ch, HttpClientRequest up, long t0) {
    up.connect()
        .onComplete(
            r -> {
              if (r.failed()) {
                failed(ch, r.cause(), t0);
                return;
              }
              HttpClientResponse resp = r.result();
              if (resp.statusCode() != 101) {
                relayResponse(ch, resp, t0);
                return;
              }
              MultiMap headers = MultiMap.caseInsensitiveMultiMap();
              EndToEndHeaders.copy(resp.headers(), headers, true, Set.of());
              ch.sendHead(new ResponseHead(101, resp.statusMessage(), headers));
              log(ch.request(), 101, t0);
              NetSocket socket = resp.netSocket();
              socket.pause();
              socket.closeHandler(v -> ch.reset("the app closed the connection"));
              ch.sinkTo(socket, trailers -> socket.end());
              ch.pump(socket, context, null, null);
            });
  }

  private void failed(Mux.Channel ch, Throwable cause, long t0) {
    if (ch.isDone()) {
      return; // the caller went away first
    }
    answer(ch, 502, "the local app failed: " + cause.getMessage(), t0);
  }

  /** Answers the relayed request here, with a short text. */
  private void answer(Mux.Channel ch, int status, String text, long t0) {
    Buffer body = Buffer.buffer("sidetrack: " + text + "\n");
    MultiMap headers =
        MultiMap.caseInsensitiveMultiMap()
            .add(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
            .add(HttpHeaders.CONTENT_LENGTH, String.valueOf(body.length()));
    ch.sendHead(new ResponseHead(status, "", headers));
    ch.sendData(body);
    ch.sendEnd(null);
    ch.sinkTo(new DiscardingStream(), trailers -> {});
    log(ch.request(), status, t0);
  }

  private void log(RequestHead head, int status, long t0) {
    events.relayed(head.method(), head.uri(), status, (System.nanoTime() - t0) / 1e6);
  }

  Future<Void> close() {
    return Future.all(http1.close(), h2c.close()).mapEmpty();
  }
}
