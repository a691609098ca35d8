package io.sidetrack.edge.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.RelayHeaders;
import io.sidetrack.core.routing.RequestView;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteMatch;
import io.sidetrack.edge.routing.RouteFeed;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.VertxInternal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's front door: plain HTTP/1.1 requests are relayed by Netty handlers on the event loop
 * that accepted the connection, to the app or to the router of a matched bodyless request, over
 * upstream connections that belong to the inbound one. Everything else (HTTP/2, upgrades, {@code
 * Expect}, a matched request with a body, HTTP/1.0) is handed, with the rest of its connection, to
 * the full {@link EdgeProxy} behind it on loopback. Routing decisions, fallbacks, the breaker and
 * fail-closed answers are the same on both paths.
 */
public final class FastFront {
  private static final Logger LOG = LoggerFactory.getLogger(FastFront.class);
  private static final String RETRY_AFTER_SECONDS = "5";
  private static final List<CharSequence> HOP_BY_HOP =
      List.of(
          HttpHeaderNames.CONNECTION,
          HttpHeaderNames.KEEP_ALIVE,
          io.netty.util.AsciiString.cached("proxy-connection"),
          HttpHeaderNames.PROXY_AUTHENTICATE,
          HttpHeaderNames.PROXY_AUTHORIZATION,
          HttpHeaderNames.TE,
          HttpHeaderNames.TRAILER,
          HttpHeaderNames.TRANSFER_ENCODING,
          HttpHeaderNames.UPGRADE);

  /**
   * Answers of the app or a router are parsed without re-validating every header character: they
   * come from this pod or this cluster, and the client-facing side validates what clients send.
   */
  private static final io.netty.handler.codec.http.HttpDecoderConfig UPSTREAM_DECODER =
      new io.netty.handler.codec.http.HttpDecoderConfig()
          .setHeadersFactory(
              io.netty.handler.codec.http.DefaultHttpHeadersFactory.headersFactory()
                  .withValidation(false))
          .setTrailersFactory(
              io.netty.handler.codec.http.DefaultHttpHeadersFactory.trailersFactory()
                  .withValidation(false));

  /**
   * Netty's pooled allocator: the buffers here are small and freed on the thread that allocated
   * them, and Netty 4.2's default adaptive allocator showed its shared queues in a profile.
   */
  private static final io.netty.buffer.ByteBufAllocator ALLOCATOR =
      io.netty.buffer.PooledByteBufAllocator.DEFAULT;

  private static final io.netty.util.AsciiString INTERCEPT =
      io.netty.util.AsciiString.cached(RelayHeaders.INTERCEPT);
  private static final io.netty.util.AsciiString WORKLOAD =
      io.netty.util.AsciiString.cached(RelayHeaders.WORKLOAD);
  private static final io.netty.util.AsciiString NO_TUNNEL =
      io.netty.util.AsciiString.cached(RelayHeaders.NO_TUNNEL);
  private static final io.netty.util.AsciiString FALLBACK =
      io.netty.util.AsciiString.cached(RelayHeaders.FALLBACK);
  private static final io.netty.util.AsciiString X_FORWARDED_FOR =
      io.netty.util.AsciiString.cached("x-forwarded-for");
  private static final io.netty.util.AsciiString X_FORWARDED_HOST =
      io.netty.util.AsciiString.cached("x-forwarded-host");
  private static final io.netty.util.AsciiString FORWARDED =
      io.netty.util.AsciiString.cached("forwarded");
  private static final io.netty.util.AsciiString X_FORWARDED_PROTO =
      io.netty.util.AsciiString.cached("x-forwarded-proto");

  private final VertxInternal vertx;
  private final RouteFeed routes;
  private final EdgeProxy proxy;
  private final String workload;
  private final InetSocketAddress app;
  private final RouterBreaker breaker;
  private final int routerConnectTimeoutMs;
  private final Map<String, Optional<InetSocketAddress>> targets = new ConcurrentHashMap<>();
  private InetSocketAddress full;
  private Channel server;

  public FastFront(
      VertxInternal vertx,
      RouteFeed routes,
      EdgeProxy proxy,
      String workload,
      String appHost,
      int appPort,
      RouterBreaker breaker,
      int routerConnectTimeoutMs) {
    this.vertx = vertx;
    this.routes = routes;
    this.proxy = proxy;
    this.workload = workload;
    this.app = InetSocketAddress.createUnresolved(appHost, appPort);
    this.breaker = breaker;
    this.routerConnectTimeoutMs = routerConnectTimeoutMs;
  }

  /** Starts taking traffic; {@code fullPort} is where the full proxy listens on loopback. */
  public Future<Integer> listen(String host, int port, int fullPort) {
    full = new InetSocketAddress("127.0.0.1", fullPort);
    Promise<Integer> bound = Promise.promise();
    new ServerBootstrap()
        .group(vertx.acceptorEventLoopGroup(), vertx.nettyEventLoopGroup())
        .channelFactory(vertx.transport().serverChannelFactory(false))
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.ALLOCATOR, ALLOCATOR)
        .childHandler(
            new ChannelInitializer<>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline().addLast("codec", new HttpServerCodec());
                ch.pipeline().addLast("front", new Front());
              }
            })
        .bind(host, port)
        .addListener(
            (ChannelFuture f) -> {
              if (f.isSuccess()) {
                server = f.channel();
                bound.complete(((InetSocketAddress) server.localAddress()).getPort());
              } else {
                bound.fail(f.cause());
              }
            });
    return bound.future();
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  public void close() {
    if (server != null) {
      server.close();
    }
  }

  private Bootstrap bootstrap(Channel inbound, int connectTimeoutMs) {
    return new Bootstrap()
        .group(inbound.eventLoop())
        .channelFactory(vertx.transport().channelFactory(false))
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.ALLOCATOR, ALLOCATOR)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMs);
  }

  private InetSocketAddress target(String t) {
    return targets
        .computeIfAbsent(
            t,
            x ->
                RouterAddress.parse(x)
                    .map(a -> InetSocketAddress.createUnresolved(a.host(), a.port())))
        .orElse(null);
  }

  private static final ArrayDeque<HttpContent> EMPTY_PARTS = new ArrayDeque<>(0);

  /** Whether a message is chunked; no value iterator when it has no Transfer-Encoding at all. */
  private static boolean chunked(io.netty.handler.codec.http.HttpMessage m) {
    return m.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
        && HttpUtil.isTransferEncodingChunked(m);
  }

  /** HTTP/1.1 keep-alive unless {@code Connection} says close; cheap without the header. */
  private static boolean keepAlive(HttpRequest req) {
    return !req.headers().contains(HttpHeaderNames.CONNECTION) || HttpUtil.isKeepAlive(req);
  }

  /** One request being relayed. */
  private static final class Exchange {
    final HttpRequest request;
    final boolean hasBody;
    final boolean keepAlive;
    final Route route;
    String fallback;
    Channel upstream;

    /** Body parts that came before the upstream link (only requests with a body have any). */
    final ArrayDeque<HttpContent> early;

    boolean requestEnded;
    boolean headWritten;
    boolean discarding;
    boolean retried;
    boolean prepared;

    Exchange(HttpRequest request, boolean hasBody, boolean keepAlive, Route route) {
      this.early = hasBody ? new ArrayDeque<>() : EMPTY_PARTS;
      this.request = request;
      this.hasBody = hasBody;
      this.keepAlive = keepAlive;
      this.route = route;
    }
  }

  /** The handler of one inbound connection. */
  private final class Front extends ChannelInboundHandlerAdapter {
    private ChannelHandlerContext ctx;
    private Exchange current;
    private final ArrayDeque<HttpObject> pending = new ArrayDeque<>();
    private final Map<InetSocketAddress, Channel> upstreams = new HashMap<>();
    private EmbeddedChannel handoff;
    private Channel fullChannel;
    private final ArrayDeque<ByteBuf> raw = new ArrayDeque<>();
    private String clientAddress;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (handoff != null) {
        handoffRead(msg);
        return;
      }
      if (msg instanceof HttpRequest req) {
        if (current != null || !pending.isEmpty()) {
          pending.add(req); // pipelined: after the current one
          return;
        }
        start(req);
        if (msg instanceof HttpContent c) {
          content(c);
        }
      } else if (msg instanceof HttpContent c) {
        if (!pending.isEmpty()) {
          pending.add(c);
        } else {
          content(c);
        }
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    private void start(HttpRequest req) {
      if (req.decoderResult().isFailure()) {
        reply(HttpResponseStatus.BAD_REQUEST, "malformed request\n", null, false);
        return;
      }
      boolean hasBody = chunked(req) || HttpUtil.getContentLength(req, 0L) > 0;
      Optional<RouteMatch> match = routes.current().routeFor(new View(req));
      if (needsFullProxy(req, match.isPresent(), hasBody)) {
        startHandoff(req);
        return;
      }
      Route route = match.map(RouteMatch::route).orElse(null);
      current = new Exchange(req, hasBody, keepAlive(req), route);
      if (route == null) {
        proxy.countApp();
        send(current, app, routerConnectTimeoutMs);
        return;
      }
      if (!breaker.allows(route.target())) {
        fallback(current, "router-circuit-open");
        return;
      }
      InetSocketAddress target = target(route.target());
      if (target == null) {
        fallback(current, "bad-router-address");
        return;
      }
      send(current, target, routerConnectTimeoutMs);
    }

    private boolean needsFullProxy(HttpRequest req, boolean matched, boolean hasBody) {
      HttpHeaders h = req.headers();
      return req.protocolVersion() != HttpVersion.HTTP_1_1
          || req.method() == HttpMethod.CONNECT
          || req.method().name().equals("PRI")
          || h.contains(HttpHeaderNames.UPGRADE)
          || h.contains(HttpHeaderNames.EXPECT)
          || (matched && hasBody);
    }

    private void content(HttpContent c) {
      Exchange ex = current;
      if (ex == null || ex.requestEnded) {
        c.release();
        return;
      }
      if (c instanceof LastHttpContent) {
        ex.requestEnded = true;
      }
      if (!ex.hasBody) {
        c.release(); // begin() ends a bodyless request itself, on every attempt
        return;
      }
      if (ex.upstream == null) {
        ex.early.add(c);
        return;
      }
      boolean last = c instanceof LastHttpContent;
      ex.upstream.write(c, ex.upstream.voidPromise());
      if (last) {
        ex.upstream.flush();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      Exchange ex = current;
      if (ex != null && ex.upstream != null) {
        ex.upstream.flush();
      }
      ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      boolean writable = ctx.channel().isWritable();
      Exchange ex = current;
      if (ex != null && ex.upstream != null) {
        ex.upstream.config().setAutoRead(writable);
      }
      if (fullChannel != null) {
        fullChannel.config().setAutoRead(writable);
      }
      ctx.fireChannelWritabilityChanged();
    }

    /** Sends the exchange's request to {@code to}, over this connection's link to it. */
    private void send(Exchange ex, InetSocketAddress to, int connectTimeoutMs) {
      Channel up = upstreams.get(to);
      if (up != null && up.isActive()) {
        begin(ex, up);
        return;
      }
      ctx.channel().config().setAutoRead(false); // hold the body until the link is there
      Upstream handler = new Upstream(this, to);
      bootstrap(ctx.channel(), connectTimeoutMs)
          .handler(
              new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                  ch.pipeline().addLast(new HttpClientCodec(UPSTREAM_DECODER, false, false));
                  ch.pipeline().addLast(handler);
                }
              })
          .connect(to.getHostString(), to.getPort())
          .addListener(
              (ChannelFuture f) -> {
                ctx.channel().config().setAutoRead(true);
                if (current != ex) {
                  if (f.isSuccess()) {
                    upstreams.put(to, f.channel());
                  }
                  return;
                }
                if (!f.isSuccess()) {
                  if (ex.route != null && ex.fallback == null) {
                    breaker.failed(ex.route.target());
                    LOG.debug("Router {} unreachable: {}", ex.route.target(), f.cause().toString());
                    fallback(ex, "router-unreachable");
                  } else {
                    badGateway(ex, "app unreachable at " + to.getHostString() + ":" + to.getPort());
                  }
                  return;
                }
                upstreams.put(to, f.channel());
                begin(ex, f.channel());
              });
    }

    private void begin(Exchange ex, Channel up) {
      ex.upstream = up;
      ((Upstream) up.pipeline().last()).exchange = ex;
      HttpRequest req = ex.request;
      HttpHeaders h = req.headers();
      if (!ex.prepared) {
        // the inbound request itself goes on, its headers made fit for the next hop once
        boolean chunked = chunked(req);
        stripHopByHop(h);
        if (chunked) {
          h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        addForwarded(h, h.get(HttpHeaderNames.HOST));
        ex.prepared = true;
      }
      if (ex.route != null && ex.fallback == null) {
        h.set(INTERCEPT, ex.route.interceptId());
        h.set(WORKLOAD, workload);
      } else {
        h.remove(INTERCEPT);
        h.remove(WORKLOAD);
      }
      // failures of these writes reach the upstream's exceptionCaught: no promise per write
      up.write(req, up.voidPromise());
      if (!ex.hasBody) {
        up.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, up.voidPromise());
        return;
      }
      while (!ex.early.isEmpty()) {
        up.write(ex.early.poll(), up.voidPromise());
      }
      up.flush();
    }

    private String forwardedHost;
    private String forwardedElement;

    /** Adds who asked: {@code X-Forwarded-For/Host/Proto} and {@code Forwarded}. */
    private void addForwarded(HttpHeaders to, String host) {
      String client = clientAddress();
      String priorFor = to.get(X_FORWARDED_FOR);
      to.set(X_FORWARDED_FOR, priorFor == null ? client : priorFor + ", " + client);
      if (host != null && !to.contains(X_FORWARDED_HOST)) {
        to.set(X_FORWARDED_HOST, host);
      }
      if (!to.contains(X_FORWARDED_PROTO)) {
        to.set(X_FORWARDED_PROTO, "http");
      }
      if (forwardedElement == null || !java.util.Objects.equals(host, forwardedHost)) {
        // the same for every request of a connection that names the same host: made once
        forwardedHost = host;
        forwardedElement = ForwardHeaders.forwardedElement(client, host, "http");
      }
      String prior = to.get(FORWARDED);
      to.set(FORWARDED, prior == null ? forwardedElement : prior + ", " + forwardedElement);
    }

    private String clientAddress() {
      if (clientAddress == null) {
        InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
        clientAddress = client == null ? "unknown" : client.getAddress().getHostAddress();
      }
      return clientAddress;
    }

    /** The upstream's answer starts. */
    void response(Exchange ex, HttpResponse resp) {
      if (ex != current) {
        return;
      }
      int status = resp.status().code();
      if (status >= 100 && status < 200) {
        ex.discarding = true; // an interim answer: the final one follows
        return;
      }
      if (ex.route != null && ex.fallback == null) {
        breaker.succeeded(ex.route.target());
        if (resp.headers().contains(NO_TUNNEL) && !ex.hasBody) {
          ex.discarding = true; // read it to its end, then go to the app
          ex.fallback = "no-tunnel";
          return;
        }
        proxy.countIntercept();
      }
      // the upstream's response itself goes on, its headers made fit for the next hop
      HttpHeaders h = resp.headers();
      boolean lengthSet = HttpUtil.isContentLengthSet(resp);
      stripHopByHop(h);
      boolean bodyless = status == 204 || status == 304 || ex.request.method() == HttpMethod.HEAD;
      if (!lengthSet && !bodyless) {
        h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      }
      resp.setProtocolVersion(HttpVersion.HTTP_1_1);
      if (ex.fallback != null) {
        h.set(FALLBACK, ex.fallback);
      }
      if (!ex.keepAlive) {
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      ex.headWritten = true;
      ctx.write(resp, ctx.voidPromise());
    }

    /** A part of the upstream's answer. */
    void responseContent(Exchange ex, HttpContent c) {
      if (ex != current) {
        c.release();
        return;
      }
      boolean last = c instanceof LastHttpContent;
      if (ex.discarding) {
        c.release();
        if (last) {
          ex.discarding = false;
          if ("no-tunnel".equals(ex.fallback) && !ex.headWritten) {
            fallback(ex, "no-tunnel");
          }
        }
        return;
      }
      if (!last) {
        ctx.write(c, ctx.voidPromise());
        return;
      }
      ctx.writeAndFlush(c, ctx.voidPromise());
      finish(ex);
    }

    /** The upstream went away. */
    void upstreamClosed(Exchange ex, InetSocketAddress to, Channel ch) {
      upstreams.remove(to, ch);
      if (ex == null || ex != current || ex.upstream != ch) {
        return;
      }
      if (!ex.headWritten && !ex.hasBody && !ex.retried && !ex.discarding) {
        // a kept-alive link the other side had just closed: once more, on a new one
        ex.retried = true;
        ex.upstream = null;
        send(ex, to, routerConnectTimeoutMs);
        return;
      }
      if (!ex.headWritten && ex.route != null && ex.fallback == null && !ex.hasBody) {
        breaker.failed(ex.route.target());
        fallback(ex, "router-failed");
      } else if (!ex.headWritten) {
        badGateway(ex, "upstream closed the connection");
      } else {
        ctx.close();
      }
    }

    private void fallback(Exchange ex, String reason) {
      if (ex.route != null && ex.route.failureMode() == FailureMode.FAIL_CLOSED) {
        proxy.countFailClosed();
        reply(
            HttpResponseStatus.SERVICE_UNAVAILABLE,
            "intercept "
                + ex.route.interceptId()
                + " of "
                + ex.route.owner()
                + " is fail-closed and its tunnel is unreachable ("
                + reason
                + ")\n",
            reason,
            true);
        return;
      }
      proxy.countFallback(reason);
      proxy.countApp();
      ex.fallback = reason;
      ex.upstream = null;
      send(ex, app, routerConnectTimeoutMs);
    }

    private void badGateway(Exchange ex, String why) {
      LOG.debug("502 for {}: {}", ex.request.uri(), why);
      reply(HttpResponseStatus.BAD_GATEWAY, why + "\n", null, false);
    }

    /** Answers the current request here. */
    private void reply(HttpResponseStatus status, String text, String fallback, boolean retry) {
      Exchange ex = current;
      boolean keepAlive = ex != null && ex.keepAlive && (ex.requestEnded || !ex.hasBody);
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      DefaultFullHttpResponse out =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
      out.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
          .set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
      if (fallback != null) {
        out.headers().set(RelayHeaders.FALLBACK, fallback);
      }
      if (retry) {
        out.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
      }
      if (!keepAlive) {
        out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      ChannelFuture written = ctx.writeAndFlush(out);
      if (ex != null) {
        ex.headWritten = true;
        ex.early.forEach(ReferenceCountUtil::release);
        ex.early.clear();
      }
      if (!keepAlive) {
        written.addListener(ChannelFutureListener.CLOSE);
        return;
      }
      if (ex != null) {
        finish(ex);
      }
    }

    /** The exchange is over: the next pipelined request, if any, goes. */
    private void finish(Exchange ex) {
      current = null;
      if (!ex.keepAlive || !ex.requestEnded && ex.hasBody) {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      while (current == null && !pending.isEmpty() && handoff == null) {
        HttpObject next = pending.poll();
        if (next instanceof HttpRequest req) {
          start(req);
          if (next instanceof HttpContent c) {
            content(c);
          }
        } else if (next instanceof HttpContent c) {
          content(c);
        }
      }
    }

    // ---- handing a connection to the full proxy --------------------------------------------

    private void startHandoff(HttpRequest req) {
      for (Channel up : upstreams.values()) {
        up.close();
      }
      upstreams.clear();
      handoff = new EmbeddedChannel(new HttpRequestEncoder());
      handoff.writeOutbound(req);
      for (HttpObject o : pending) {
        handoff.writeOutbound(o);
      }
      pending.clear();
      ctx.channel().config().setAutoRead(false);
      // bytes the codec has not decoded yet now reach channelRead as they are
      ctx.pipeline().remove("codec");
      InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
      bootstrap(ctx.channel(), 5_000)
          .handler(new Pipe(ctx.channel()))
          .connect(full)
          .addListener(
              (ChannelFuture f) -> {
                if (!f.isSuccess()) {
                  ctx.close();
                  return;
                }
                fullChannel = f.channel();
                int port = ((InetSocketAddress) fullChannel.localAddress()).getPort();
                proxy.handedOff(port, client);
                fullChannel.closeFuture().addListener(x -> proxy.handedOffClosed(port));
                flushHandoff();
                ctx.pipeline().replace(this, "pipe", new Pipe(fullChannel));
                ctx.channel().config().setAutoRead(true);
              });
    }

    private void handoffRead(Object msg) {
      if (msg instanceof ByteBuf b) {
        raw.add(b);
      } else if (msg instanceof HttpObject o) {
        handoff.writeOutbound(o);
      } else {
        ReferenceCountUtil.release(msg);
      }
      if (fullChannel != null) {
        flushHandoff();
      }
    }

    private void flushHandoff() {
      for (Object o; (o = handoff.readOutbound()) != null; ) {
        fullChannel.write(o);
      }
      while (!raw.isEmpty()) {
        fullChannel.write(raw.poll());
      }
      fullChannel.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      for (Channel up : upstreams.values()) {
        up.close();
      }
      upstreams.clear();
      Exchange ex = current;
      if (ex != null) {
        ex.early.forEach(ReferenceCountUtil::release);
        ex.early.clear();
      }
      pending.forEach(ReferenceCountUtil::release);
      pending.clear();
      raw.forEach(ReferenceCountUtil::release);
      raw.clear();
      if (handoff != null) {
        handoff.finishAndReleaseAll();
      }
      if (fullChannel != null) {
        fullChannel.close();
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("Inbound connection failed: {}", cause.toString());
      ctx.close();
    }
  }

  /** The handler of one upstream connection, relaying its answers to the inbound one. */
  private final class Upstream extends ChannelInboundHandlerAdapter {
    private final Front front;
    private final InetSocketAddress to;
    Exchange exchange;

    Upstream(Front front, InetSocketAddress to) {
      this.front = front;
      this.to = to;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Exchange ex = exchange;
      if (ex == null) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpResponse resp) {
        front.response(ex, resp);
      }
      if (msg instanceof HttpContent c) {
        front.responseContent(ex, c);
      } else if (!(msg instanceof HttpResponse)) {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      front.ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      front.ctx.channel().config().setAutoRead(ctx.channel().isWritable());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      front.upstreamClosed(exchange, to, ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("Upstream {} failed: {}", to, cause.toString());
      ctx.close();
    }
  }

  /** Copies bytes from one channel to another, with backpressure both ways. */
  private static final class Pipe extends ChannelInboundHandlerAdapter {
    private final Channel to;

    Pipe(Channel to) {
      this.to = to;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      to.write(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      to.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      to.config().setAutoRead(ctx.channel().isWritable());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Removes hop-by-hop fields and those {@code Connection} names (RFC 9110 section 7.6.1). */
  private static void stripHopByHop(HttpHeaders h) {
    String connection = h.get(HttpHeaderNames.CONNECTION);
    if (connection != null) {
      for (String t : connection.split(",")) {
        String name = t.trim();
        if (!name.isEmpty()) {
          h.remove(name);
        }
      }
    }
    for (CharSequence name : HOP_BY_HOP) {
      h.remove(name);
    }
  }

  /** The request as the matcher sees it. */
  private static final class View implements RequestView {
    private final HttpRequest req;

    View(HttpRequest req) {
      this.req = req;
    }

    @Override
    public List<String> headerValues(String lowerCaseName) {
      // most requests lack most headers a table names: no list for those
      return req.headers().contains(lowerCaseName)
          ? req.headers().getAll(lowerCaseName)
          : List.of();
    }

    @Override
    public String path() {
      String uri = req.uri();
      int q = uri.indexOf('?');
      String path = q >= 0 ? uri.substring(0, q) : uri;
      if (!path.startsWith("/")) {
        int scheme = path.indexOf("://");
        int slash = scheme >= 0 ? path.indexOf('/', scheme + 3) : -1;
        path = slash >= 0 ? path.substring(slash) : "/";
      }
      return path.isEmpty() ? "/" : path;
    }

    @Override
    public String method() {
      return req.method().name();
    }
  }
}
