package io.sidetrack.edge.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.RelayHeaders;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteMatch;
import io.sidetrack.edge.dispatch.RouterAddress;
import io.sidetrack.edge.dispatch.RouterBreaker;
import io.sidetrack.edge.routing.RouteFeed;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.VertxInternal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's front door. Plain HTTP/1.1 requests are relayed as bytes, on the event loop that
 * accepted the connection, to the app or to the router of a matched bodyless request, over upstream
 * connections that belong to the inbound one: each message head is parsed in place ({@link
 * Http1Head}), routed, and sent on as its own bytes minus the hop-by-hop fields and plus the
 * forwarding ones; bodies pass through unchanged while {@link BodyScanner} finds their ends.
 * Everything else (HTTP/2, upgrades, {@code Expect}, a matched request with a body, HTTP/1.0) is
 * handed, with the rest of its connection, to the full {@link EdgeProxy} behind it on loopback.
 * Routing decisions, fallbacks, the breaker and fail-closed answers are the same on both paths.
 */
public final class FastFront {
  private static final Logger LOG = LoggerFactory.getLogger(FastFront.class);
  private static final String RETRY_AFTER_SECONDS = "5";

  /** The longest message head accepted (the Vert.x proxy's limit is 8 KiB of fields). */
  static final int MAX_HEAD = 16 * 1024;

  /** Pipelined bytes held back while a request is answered, before reading pauses. */
  private static final int MAX_PIPELINED = 64 * 1024;

  /** An answer's body this small goes out in the same write as its head. */
  private static final int INLINE_BODY = 2 * 1024;

  /**
   * Netty's pooled allocator: the buffers here are small and freed on the thread that allocated
   * them, and Netty 4.2's default adaptive allocator showed its shared queues in a profile.
   */
  private static final ByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

  private static final byte[] CONNECT = Http1Head.ascii("CONNECT");
  private static final byte[] PRI = Http1Head.ascii("PRI");
  private static final byte[] HEAD = Http1Head.ascii("HEAD");
  private static final byte[] INTERCEPT_FIELD = field(RelayHeaders.INTERCEPT);
  private static final byte[] WORKLOAD_FIELD = field(RelayHeaders.WORKLOAD);
  private static final byte[] FALLBACK_FIELD = field(RelayHeaders.FALLBACK);
  private static final byte[] X_FORWARDED_FOR = field("x-forwarded-for");
  private static final byte[] X_FORWARDED_HOST = field("x-forwarded-host");
  private static final byte[] X_FORWARDED_PROTO_HTTP =
      Http1Head.ascii("x-forwarded-proto: http\r\n");
  private static final byte[] FORWARDED = field("forwarded");
  private static final byte[] CONNECTION_CLOSE = Http1Head.ascii("connection: close\r\n");
  private static final byte[] LIST_SEPARATOR = Http1Head.ascii(", ");

  private final VertxInternal vertx;
  private final RouteFeed routes;
  private final EdgeProxy proxy;
  private final byte[] workload;
  private final InetSocketAddress app;
  private final RouterBreaker breaker;
  private final int routerConnectTimeoutMs;
  private final long idleTimeoutNanos;
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
      int routerConnectTimeoutMs,
      java.time.Duration idleTimeout) {
    this.vertx = vertx;
    this.routes = routes;
    this.proxy = proxy;
    this.workload = Http1Head.ascii(workload);
    this.app = InetSocketAddress.createUnresolved(appHost, appPort);
    this.breaker = breaker;
    this.routerConnectTimeoutMs = routerConnectTimeoutMs;
    this.idleTimeoutNanos = idleTimeout.toNanos();
  }

  private static byte[] field(String name) {
    return Http1Head.ascii(name + ": ");
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
            new io.netty.channel.ChannelInitializer<>() {
              @Override
              protected void initChannel(Channel ch) {
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

  /** Appends {@code in} to the bytes not yet relayed, without moving bytes others still share. */
  static ByteBuf append(ByteBuf held, ByteBuf in) {
    if (held == null) {
      return in;
    }
    if (held.refCnt() == 1 && held.writableBytes() >= in.readableBytes()) {
      held.writeBytes(in);
      in.release();
      return held;
    }
    ByteBuf merged = ALLOCATOR.directBuffer(held.readableBytes() + in.readableBytes());
    merged.writeBytes(held).writeBytes(in);
    held.release();
    in.release();
    return merged;
  }

  /** One request being relayed. */
  private static final class Exchange {
    final boolean hasBody;
    final boolean keepAlive;
    final boolean head;
    final Route route;
    String fallback;
    Upstream upstream;

    /** Body bytes that came before the upstream link (only requests with a body have any). */
    ArrayDeque<ByteBuf> early;

    boolean requestEnded;
    boolean headWritten;
    boolean discarding;
    boolean retried;

    /** The answer told the client that the connection closes after it. */
    boolean closeAfter;

    Exchange(boolean hasBody, boolean keepAlive, boolean head, Route route) {
      this.hasBody = hasBody;
      this.keepAlive = keepAlive;
      this.head = head;
      this.route = route;
      this.requestEnded = !hasBody;
    }

    void releaseEarly() {
      if (early != null) {
        early.forEach(ReferenceCountUtil::release);
        early.clear();
      }
    }
  }

  /** The handler of one inbound connection. */
  private final class Front extends ChannelInboundHandlerAdapter {
    private ChannelHandlerContext ctx;

    /** Bytes read from the client and not yet relayed. */
    private ByteBuf held;

    private final Http1Head request = new Http1Head();
    private final BodyScanner requestBody = new BodyScanner();
    private Exchange current;
    private boolean processing;

    /** Set once the connection is to close: nothing more it sent is read. */
    private boolean closing;

    private final Map<InetSocketAddress, Upstream> upstreams = new HashMap<>(4);
    private boolean handingOff;
    private Channel fullChannel;
    private ArrayDeque<ByteBuf> raw;
    private String clientAddress;
    private byte[] forwardedHost;
    private byte[] forwardedElement;

    /** Since when no request has been under way (System.nanoTime). */
    private long idleSince;

    @Override
    public boolean isSharable() {
      return false;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      idleSince = System.nanoTime();
      if (idleTimeoutNanos > 0) {
        ctx.executor().schedule(this::checkIdle, idleTimeoutNanos, TimeUnit.NANOSECONDS);
      }
      ctx.fireChannelActive();
    }

    /**
     * Closes a connection that has had no request under way for the idle timeout; a request head
     * still coming in by then is answered 408 first. A request under way is never cut.
     */
    private void checkIdle() {
      if (!ctx.channel().isActive() || handingOff || closing) {
        return;
      }
      long next = idleTimeoutNanos;
      if (current == null) {
        long idle = System.nanoTime() - idleSince;
        if (idle >= idleTimeoutNanos) {
          if (held != null && held.isReadable()) {
            badRequest(408, "Request Timeout", "request head not complete within the idle timeout");
          } else {
            closing = true;
            ctx.close();
          }
          return;
        }
        next = idleTimeoutNanos - idle;
      }
      ctx.executor().schedule(this::checkIdle, next, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf in)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (handingOff) {
        raw.add(in);
        if (fullChannel != null) {
          flushHandoff();
        }
        return;
      }
      held = append(held, in);
      process();
    }

    /** Relays what the held bytes allow: a new request, the rest of a body, or nothing yet. */
    private void process() {
      if (processing) {
        return;
      }
      processing = true;
      try {
        while (held != null && held.isReadable() && !handingOff && !closing) {
          Exchange ex = current;
          if (ex == null) {
            skipBlankLines();
            if (!held.isReadable()) {
              break;
            }
            if (!startNext()) {
              break;
            }
          } else if (!ex.requestEnded) {
            relayBody(ex);
          } else {
            if (held.readableBytes() > MAX_PIPELINED) {
              ctx.channel().config().setAutoRead(false); // finish() reads on
            }
            break;
          }
        }
        if (held != null && !held.isReadable() && !handingOff) {
          held.release();
          held = null;
        }
      } finally {
        processing = false;
      }
    }

    /** Blank lines before a request line are ignored (RFC 9112 section 2.2). */
    private void skipBlankLines() {
      while (held.isReadable()) {
        byte b = held.getByte(held.readerIndex());
        if (b != '\r' && b != '\n') {
          return;
        }
        held.skipBytes(1);
      }
    }

    /** Starts the request whose head the held bytes begin with; false if it cannot go on yet. */
    private boolean startNext() {
      int end = Http1Head.findEnd(held, MAX_HEAD);
      if (end < 0) {
        if (held.readableBytes() >= MAX_HEAD) {
          badRequest(431, "Request Header Fields Too Large", "request head too large");
        }
        return false;
      }
      String error = request.parseRequest(held, end);
      if (error != null) {
        badRequest(400, "Bad Request", error);
        return false;
      }
      if (request.transferEncoding && !request.chunked) {
        badRequest(400, "Bad Request", "transfer-encoding without chunked last");
        return false;
      }
      boolean hasBody = request.chunked || request.contentLength > 0;
      Optional<RouteMatch> match = routes.current().routeFor(request);
      if (needsFullProxy(match.isPresent(), hasBody)) {
        startHandoff();
        return false;
      }
      held.readerIndex(end);
      requestBody.reset(
          request.chunked ? BodyScanner.CHUNKED : BodyScanner.LENGTH, request.contentLength);
      Route route = match.map(RouteMatch::route).orElse(null);
      Exchange ex = new Exchange(hasBody, !request.close, request.methodIs(HEAD), route);
      current = ex;
      if (route == null) {
        send(ex, app);
      } else if (!breaker.allows(route.target())) {
        fallback(ex, "router-circuit-open");
      } else {
        InetSocketAddress target = target(route.target());
        if (target == null) {
          fallback(ex, "bad-router-address");
        } else {
          send(ex, target);
        }
      }
      return true;
    }

    private boolean needsFullProxy(boolean matched, boolean hasBody) {
      return !request.http11()
          || request.methodIs(CONNECT)
          || request.methodIs(PRI)
          || request.has(Http1Head.UPGRADE)
          || request.has(Http1Head.EXPECT)
          || (matched && hasBody);
    }

    /** Relays the body bytes held, as they are. */
    private void relayBody(Exchange ex) {
      int n = requestBody.scan(held);
      if (n < 0) {
        LOG.debug("Malformed chunked request body from {}", clientAddress());
        if (ex.headWritten) {
          closing = true;
          ctx.close();
        } else {
          badRequest(400, "Bad Request", "malformed chunked body");
        }
        held.skipBytes(held.readableBytes());
        return;
      }
      ByteBuf part = held.readRetainedSlice(n);
      boolean ended = requestBody.done();
      ex.requestEnded = ended;
      if (ex.upstream == null) {
        if (ex.early == null) {
          ex.early = new ArrayDeque<>();
        }
        ex.early.add(part);
        return;
      }
      Channel up = ex.upstream.channel;
      up.write(part, up.voidPromise());
      if (ended) {
        up.flush();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      Exchange ex = current;
      if (ex != null && ex.upstream != null) {
        ex.upstream.channel.flush();
      }
      ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      boolean writable = ctx.channel().isWritable();
      Exchange ex = current;
      if (ex != null && ex.upstream != null) {
        ex.upstream.channel.config().setAutoRead(writable);
      }
      if (fullChannel != null) {
        fullChannel.config().setAutoRead(writable);
      }
      ctx.fireChannelWritabilityChanged();
    }

    /** Sends the exchange's request to {@code to}, over this connection's link to it. */
    private void send(Exchange ex, InetSocketAddress to) {
      Upstream up = upstreams.get(to);
      if (up != null && up.channel.isActive()) {
        begin(ex, up);
        return;
      }
      ctx.channel().config().setAutoRead(false); // hold the body until the link is there
      Upstream link = new Upstream(this, to);
      bootstrap(ctx.channel(), routerConnectTimeoutMs)
          .handler(link)
          .connect(to.getHostString(), to.getPort())
          .addListener(
              (ChannelFuture f) -> {
                ctx.channel().config().setAutoRead(true);
                if (f.isSuccess()) {
                  if (!ctx.channel().isActive()) {
                    f.channel().close(); // the client left while this link was made
                    return;
                  }
                  upstreams.put(to, link);
                }
                if (current != ex) {
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
                begin(ex, link);
                process(); // body bytes that came while connecting
              });
    }

    /** Writes the request's head, made fit for the next hop, and any body bytes held. */
    private void begin(Exchange ex, Upstream up) {
      ex.upstream = up;
      up.start(ex);
      Channel ch = up.channel;
      boolean routed = ex.route != null && ex.fallback == null;
      ByteBuf out = ch.alloc().directBuffer(request.length + 256);
      writeRequestHead(out, routed ? ex.route.interceptId() : null);
      if (ex.early == null || ex.early.isEmpty()) {
        if (ex.hasBody) {
          ch.write(out, ch.voidPromise());
        } else {
          ch.writeAndFlush(out, ch.voidPromise());
        }
        return;
      }
      ch.write(out, ch.voidPromise());
      while (!ex.early.isEmpty()) {
        ch.write(ex.early.poll(), ch.voidPromise());
      }
      ch.flush();
    }

    /**
     * The request line and fields as they came, minus hop-by-hop and relay fields, plus {@code
     * X-Forwarded-For/Host/Proto} and {@code Forwarded} for who asked, and the intercept id and
     * workload when it goes to a router.
     */
    private void writeRequestHead(ByteBuf out, String interceptId) {
      Http1Head h = request;
      h.writeStartLine(out, false);
      int host = -1;
      boolean hasForwardedHost = false;
      boolean hasForwardedProto = false;
      for (int i = 0; i < h.count; i++) {
        switch (h.kinds[i]) {
          case Http1Head.OTHER, Http1Head.TRANSFER_ENCODING, Http1Head.NO_TUNNEL ->
              h.writeField(out, i);
          case Http1Head.CONTENT_LENGTH -> {
            if (!h.chunked) {
              h.writeField(out, i);
            }
          }
          case Http1Head.HOST -> {
            host = host < 0 ? i : host;
            h.writeField(out, i);
          }
          case Http1Head.X_FORWARDED_HOST -> {
            hasForwardedHost = true;
            h.writeField(out, i);
          }
          case Http1Head.X_FORWARDED_PROTO -> {
            hasForwardedProto = true;
            h.writeField(out, i);
          }
          default -> {} // hop-by-hop, relay fields, and the forwarding ones written below
        }
      }
      byte[] client = clientBytes();
      out.writeBytes(X_FORWARDED_FOR);
      appendPrior(out, h, Http1Head.X_FORWARDED_FOR);
      out.writeBytes(client).writeShort(Http1Head.CRLF);
      if (host >= 0 && !hasForwardedHost) {
        out.writeBytes(X_FORWARDED_HOST);
        h.writeValue(out, host);
        out.writeShort(Http1Head.CRLF);
      }
      if (!hasForwardedProto) {
        out.writeBytes(X_FORWARDED_PROTO_HTTP);
      }
      out.writeBytes(FORWARDED);
      appendPrior(out, h, Http1Head.FORWARDED);
      out.writeBytes(forwardedElement(host)).writeShort(Http1Head.CRLF);
      if (interceptId != null) {
        out.writeBytes(INTERCEPT_FIELD);
        ByteBufUtil.writeAscii(out, interceptId);
        out.writeShort(Http1Head.CRLF);
        out.writeBytes(WORKLOAD_FIELD).writeBytes(workload).writeShort(Http1Head.CRLF);
      }
      out.writeShort(Http1Head.CRLF);
    }

    /** The values of the fields of {@code kind}, each followed by ", ". */
    private void appendPrior(ByteBuf out, Http1Head h, byte kind) {
      for (int i = 0; i < h.count; i++) {
        if (h.kinds[i] == kind) {
          h.writeValue(out, i);
          out.writeBytes(LIST_SEPARATOR);
        }
      }
    }

    private byte[] clientBytes;

    private byte[] clientBytes() {
      if (clientBytes == null) {
        clientBytes = Http1Head.ascii(clientAddress());
      }
      return clientBytes;
    }

    /** The {@code Forwarded} element: the same for every request of a connection to one host. */
    private byte[] forwardedElement(int hostField) {
      Http1Head h = request;
      boolean same =
          forwardedElement != null
              && (hostField < 0 ? forwardedHost == null : h.valueIs(hostField, forwardedHost));
      if (!same) {
        byte[] host =
            hostField < 0
                ? null
                : java.util.Arrays.copyOfRange(
                    h.bytes, h.valueStart(hostField), h.valueEnd(hostField));
        forwardedHost = host;
        forwardedElement =
            Http1Head.ascii(
                ForwardHeaders.forwardedElement(
                    clientAddress(),
                    host == null ? null : new String(host, StandardCharsets.ISO_8859_1),
                    "http"));
      }
      return forwardedElement;
    }

    private String clientAddress() {
      if (clientAddress == null) {
        InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
        clientAddress = client == null ? "unknown" : client.getAddress().getHostAddress();
      }
      return clientAddress;
    }

    // ---- answers ------------------------------------------------------------------------------

    /** Relays what an upstream's held bytes allow of the answer to {@code up}'s exchange. */
    void answer(Upstream up) {
      while (up.held != null && up.held.isReadable()) {
        Exchange ex = up.exchange;
        if (ex == null || ex != current) {
          // bytes nobody asked for: this link cannot be trusted with another request
          up.drop();
          return;
        }
        if (!up.inBody) {
          if (!answerHead(up, ex)) {
            return;
          }
        } else {
          int n = up.body.scan(up.held);
          if (n < 0) {
            upstreamBroken(up, ex, "malformed chunked answer");
            return;
          }
          ByteBuf part = up.held.readRetainedSlice(n);
          if (ex.discarding) {
            part.release();
          } else {
            ctx.write(part, ctx.voidPromise());
          }
        }
        if (up.inBody && up.body.done()) {
          answered(up, ex);
        }
      }
      up.releaseIfEmpty();
    }

    /** Reads the answer's head; false when more bytes are needed or the link failed. */
    private boolean answerHead(Upstream up, Exchange ex) {
      int end = Http1Head.findEnd(up.held, MAX_HEAD);
      if (end < 0) {
        if (up.held.readableBytes() >= MAX_HEAD) {
          upstreamBroken(up, ex, "answer head too large");
        }
        return false;
      }
      Http1Head h = up.head;
      String error = h.parseResponse(up.held, end);
      if (error != null) {
        upstreamBroken(up, ex, error);
        return false;
      }
      up.held.readerIndex(end);
      int status = h.status;
      if (status >= 100 && status < 200) {
        if (status == 101) {
          upstreamBroken(up, ex, "unexpected 101 answer");
          return false;
        }
        return true; // an interim answer: the final one follows
      }
      boolean bodyless = ex.head || status == 204 || status == 304;
      int mode =
          bodyless
              ? BodyScanner.NONE
              : h.chunked
                  ? BodyScanner.CHUNKED
                  : h.contentLength >= 0 ? BodyScanner.LENGTH : BodyScanner.UNTIL_CLOSE;
      up.body.reset(mode, h.contentLength);
      up.inBody = true;
      up.closesAfter = h.close || !h.http11() || mode == BodyScanner.UNTIL_CLOSE;
      if (ex.route != null && ex.fallback == null) {
        breaker.succeeded(ex.route.target());
        if (h.has(Http1Head.NO_TUNNEL) && !ex.hasBody) {
          ex.discarding = true; // read it to its end, then go to the app
          ex.fallback = "no-tunnel";
          return true;
        }
      }
      // an answer that starts before the whole request came ends the connection: the rest of
      // that request could not be told from a next one
      boolean closeClient = !ex.keepAlive || mode == BodyScanner.UNTIL_CLOSE || !ex.requestEnded;
      ex.closeAfter = closeClient;
      ByteBuf out = ctx.alloc().directBuffer(h.length + 128 + INLINE_BODY);
      writeAnswerHead(out, h, ex.fallback, closeClient);
      if (mode == BodyScanner.LENGTH
          && up.body.remaining() <= INLINE_BODY
          && up.held.readableBytes() >= up.body.remaining()) {
        // a small body that is all here: one write for the whole answer
        out.writeBytes(up.held, up.body.scan(up.held));
      }
      ex.headWritten = true;
      ctx.write(out, ctx.voidPromise());
      return true;
    }

    /** The answer is over: the link is free for the next request, and this exchange ends. */
    private void answered(Upstream up, Exchange ex) {
      up.inBody = false;
      up.exchange = null;
      if (up.closesAfter) {
        up.drop();
      }
      if (ex.discarding) {
        ex.discarding = false;
        if ("no-tunnel".equals(ex.fallback) && !ex.headWritten) {
          fallback(ex, "no-tunnel");
        }
        return;
      }
      finish(ex);
    }

    /** The upstream sent what cannot be relayed: it is dropped, and the client told. */
    private void upstreamBroken(Upstream up, Exchange ex, String why) {
      LOG.debug("Upstream {} broke its answer: {}", up.to, why);
      up.drop();
      if (ex.headWritten) {
        closing = true;
        ctx.close();
      } else {
        badGateway(ex, "upstream answered badly: " + why);
      }
    }

    /** The status line and fields of an answer, minus hop-by-hop ones, plus the agent's. */
    private void writeAnswerHead(ByteBuf out, Http1Head h, String fallback, boolean close) {
      h.writeStartLine(out, true);
      for (int i = 0; i < h.count; i++) {
        switch (h.kinds[i]) {
          case Http1Head.CONNECTION,
              Http1Head.HOP,
              Http1Head.UPGRADE,
              Http1Head.NAMED_BY_CONNECTION -> {}
          case Http1Head.CONTENT_LENGTH -> {
            if (!h.chunked) {
              h.writeField(out, i);
            }
          }
          default -> h.writeField(out, i);
        }
      }
      if (fallback != null) {
        out.writeBytes(FALLBACK_FIELD);
        ByteBufUtil.writeAscii(out, fallback);
        out.writeShort(Http1Head.CRLF);
      }
      if (close) {
        out.writeBytes(CONNECTION_CLOSE);
      }
      out.writeShort(Http1Head.CRLF);
    }

    /** The upstream went away. */
    void upstreamClosed(Upstream up) {
      upstreams.remove(up.to, up);
      Exchange ex = up.exchange;
      if (ex == null || ex != current || ex.upstream != up || !ctx.channel().isActive()) {
        return;
      }
      if (up.inBody && up.body.mode() == BodyScanner.UNTIL_CLOSE) {
        // an answer delimited by the end of its connection: it is whole now
        up.exchange = null;
        up.inBody = false;
        if (ex.discarding) {
          answeredDiscarded(ex);
          return;
        }
        closing = true;
        current = null;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      if (!ex.headWritten && !ex.hasBody && !ex.retried && !ex.discarding && !up.inBody) {
        // a kept-alive link the other side had just closed: once more, on a new one
        ex.retried = true;
        ex.upstream = null;
        send(ex, up.to);
        return;
      }
      if (!ex.headWritten && ex.route != null && ex.fallback == null && !ex.hasBody) {
        breaker.failed(ex.route.target());
        fallback(ex, "router-failed");
      } else if (!ex.headWritten && ex.discarding) {
        answeredDiscarded(ex);
      } else if (!ex.headWritten) {
        badGateway(ex, "upstream closed the connection");
      } else {
        closing = true;
        ctx.close();
      }
    }

    private void answeredDiscarded(Exchange ex) {
      ex.discarding = false;
      fallback(ex, ex.fallback == null ? "router-failed" : ex.fallback);
    }

    private void fallback(Exchange ex, String reason) {
      if (ex.route != null && ex.route.failureMode() == FailureMode.FAIL_CLOSED) {
        reply(
            503,
            "Service Unavailable",
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
      ex.fallback = reason;
      ex.upstream = null;
      send(ex, app);
    }

    private void badGateway(Exchange ex, String why) {
      LOG.debug("502 for {} {}: {}", request.method(), request.path(), why);
      reply(502, "Bad Gateway", why + "\n", null, false);
    }

    /** Answers a request that cannot be read, and closes: what follows it cannot be framed. */
    private void badRequest(int status, String reason, String why) {
      LOG.debug("{} for a request from {}: {}", status, clientAddress(), why);
      if (held != null) {
        held.skipBytes(held.readableBytes());
      }
      current = null;
      writeReply(status, reason, why + "\n", null, false, false);
    }

    /** Answers the current request here. */
    private void reply(int status, String reason, String text, String fallback, boolean retry) {
      Exchange ex = current;
      boolean keepAlive = ex != null && ex.keepAlive && ex.requestEnded;
      if (ex != null) {
        ex.headWritten = true;
        ex.releaseEarly();
        if (ex.upstream != null && ex.upstream.exchange == ex) {
          ex.upstream.drop(); // an answer may still be coming on it: nobody is to get it
        }
      }
      writeReply(status, reason, text, fallback, retry, keepAlive);
      if (keepAlive) {
        finish(ex);
      } else {
        current = null;
      }
    }

    private void writeReply(
        int status, String reason, String text, String fallback, boolean retry, boolean keepAlive) {
      byte[] body = text.getBytes(StandardCharsets.UTF_8);
      StringBuilder head =
          new StringBuilder(160)
              .append("HTTP/1.1 ")
              .append(status)
              .append(' ')
              .append(reason)
              .append("\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ")
              .append(body.length)
              .append("\r\n");
      if (fallback != null) {
        head.append(RelayHeaders.FALLBACK).append(": ").append(fallback).append("\r\n");
      }
      if (retry) {
        head.append("retry-after: ").append(RETRY_AFTER_SECONDS).append("\r\n");
      }
      if (!keepAlive) {
        head.append("connection: close\r\n");
      }
      head.append("\r\n");
      ByteBuf out = ctx.alloc().directBuffer(head.length() + body.length);
      ByteBufUtil.writeAscii(out, head);
      out.writeBytes(body);
      ChannelFuture written = ctx.writeAndFlush(out);
      if (!keepAlive) {
        closing = true;
        written.addListener(ChannelFutureListener.CLOSE);
      }
    }

    /** The exchange is over: the next pipelined request, if any, goes. */
    private void finish(Exchange ex) {
      current = null;
      idleSince = System.nanoTime();
      if (!ex.keepAlive || ex.closeAfter) {
        closing = true;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      if (!ctx.channel().config().isAutoRead()
          && ctx.channel().isWritable()
          && (ex.upstream == null || ex.upstream.channel.isWritable())) {
        ctx.channel().config().setAutoRead(true);
      }
      process();
    }

    // ---- handing a connection to the full proxy --------------------------------------------

    /** The held bytes, from this request's head on, and all that follows go to the full proxy. */
    private void startHandoff() {
      for (Upstream up : upstreams.values()) {
        up.channel.close();
      }
      upstreams.clear();
      handingOff = true;
      raw = new ArrayDeque<>();
      raw.add(held);
      held = null;
      ctx.channel().config().setAutoRead(false);
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
                fullChannel.closeFuture().addListener(x -> proxy.handedOffClosed(port, client));
                flushHandoff();
                raw = null;
                ctx.pipeline().replace(this, "pipe", new Pipe(fullChannel));
                ctx.channel().config().setAutoRead(true);
              });
    }

    private void flushHandoff() {
      while (!raw.isEmpty()) {
        fullChannel.write(raw.poll());
      }
      fullChannel.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closing = true;
      Exchange ex = current;
      current = null;
      for (Upstream up : upstreams.values()) {
        up.channel.close();
      }
      upstreams.clear();
      if (ex != null) {
        ex.releaseEarly();
        if (ex.upstream != null) {
          ex.upstream.channel.close();
        }
      }
      if (held != null) {
        held.release();
        held = null;
      }
      if (raw != null) {
        raw.forEach(ReferenceCountUtil::release);
        raw.clear();
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

  /** The handler of one upstream connection, holding its answers' bytes for the inbound one. */
  private final class Upstream extends ChannelInboundHandlerAdapter {
    private final Front front;
    final InetSocketAddress to;
    Channel channel;
    Exchange exchange;
    ByteBuf held;
    final Http1Head head = new Http1Head();
    final BodyScanner body = new BodyScanner();
    boolean inBody;
    boolean closesAfter;

    Upstream(Front front, InetSocketAddress to) {
      this.front = front;
      this.to = to;
    }

    @Override
    public boolean isSharable() {
      return false;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      channel = ctx.channel();
    }

    /** A request goes out on this link: its answer comes next. */
    void start(Exchange ex) {
      exchange = ex;
      inBody = false;
    }

    /** This link is done: closed, and no longer offered to requests. */
    void drop() {
      front.upstreams.remove(to, this);
      exchange = null;
      if (held != null) {
        held.release();
        held = null;
      }
      channel.close();
    }

    void releaseIfEmpty() {
      if (held != null && !held.isReadable()) {
        held.release();
        held = null;
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf in)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      held = append(held, in);
      front.answer(this);
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
      front.upstreamClosed(this);
      if (held != null) {
        held.release();
        held = null;
      }
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
}
