package io.sidetrack.edge.proxy;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.timeout.IdleStateHandler;
import io.sidetrack.core.http.ForwardedTrust;
import io.sidetrack.edge.bridge.BaggageBridging;
import io.sidetrack.edge.dispatch.Dispatcher;
import io.sidetrack.edge.dispatch.RouterAddress;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.VertxInternal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The agent's front door. Plain HTTP/1.1 requests are relayed as bytes, on the event loop that
 * accepted the connection, to the app or to the router of a matched bodyless request, over upstream
 * connections that belong to the inbound one ({@link FrontConnection}, {@link UpstreamLink}): each
 * message head is parsed in place ({@link Http1Head}), routed by the {@link Dispatcher} both agent
 * paths share, and sent on as its own bytes minus the hop-by-hop fields and plus the forwarding
 * ones, and a bridged baggage member ({@link HeadRewriter}); bodies pass through unchanged while
 * {@link BodyScanner} finds their ends. Everything else (HTTP/2, upgrades, {@code Expect}, a
 * matched request with a body, HTTP/1.0) is handed, with the rest of its connection, to the full
 * {@link EdgeProxy} behind it on loopback ({@link HandOff}). This class is the server: its
 * settings, and the bootstraps of its channels.
 */
public final class FastFront {
  /** The longest message head accepted (the Vert.x proxy's limit is 8 KiB of fields). */
  static final int MAX_HEAD = 16 * 1024;

  /**
   * Netty's pooled allocator: the buffers here are small and freed on the thread that allocated
   * them, and Netty 4.2's default adaptive allocator showed its shared queues in a profile.
   */
  private static final ByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

  private final VertxInternal vertx;
  private final Dispatcher dispatcher;
  private final BaggageBridging bridging;
  private final ForwardedTrust forwardedTrust;
  private final HandOffs handOffs;
  private final byte[] workload;
  private final RouterAddress app;
  private final int routerConnectTimeoutMs;
  private final long idleTimeoutNanos;
  private final boolean routersOverTls;
  private InetSocketAddress full;
  private Channel server;

  /**
   * A front for {@code workload}'s app at {@code appHost:appPort}, routing by {@code dispatcher},
   * bridging baggage by {@code bridging}, keeping the forwarding fields of the clients {@code
   * forwardedTrust} trusts, handing what it does not relay to {@code proxy}. {@code idleTimeout}
   * zero: none.
   */
  public FastFront(
      VertxInternal vertx,
      Dispatcher dispatcher,
      BaggageBridging bridging,
      ForwardedTrust forwardedTrust,
      EdgeProxy proxy,
      String workload,
      String appHost,
      int appPort,
      int routerConnectTimeoutMs,
      Duration idleTimeout) {
    this(
        vertx,
        dispatcher,
        bridging,
        forwardedTrust,
        proxy,
        workload,
        appHost,
        appPort,
        routerConnectTimeoutMs,
        idleTimeout,
        false);
  }

  /**
   * A front as above; {@code routersOverTls}: routers are reached over TLS, which only the full
   * proxy speaks, so every matched request is handed to it.
   */
  public FastFront(
      VertxInternal vertx,
      Dispatcher dispatcher,
      BaggageBridging bridging,
      ForwardedTrust forwardedTrust,
      EdgeProxy proxy,
      String workload,
      String appHost,
      int appPort,
      int routerConnectTimeoutMs,
      Duration idleTimeout,
      boolean routersOverTls) {
    this(
        vertx,
        dispatcher,
        bridging,
        forwardedTrust,
        HandOffs.of(requireNonNull(proxy, "proxy")),
        workload,
        appHost,
        appPort,
        routerConnectTimeoutMs,
        idleTimeout,
        routersOverTls);
  }

  FastFront(
      VertxInternal vertx,
      Dispatcher dispatcher,
      BaggageBridging bridging,
      ForwardedTrust forwardedTrust,
      HandOffs handOffs,
      String workload,
      String appHost,
      int appPort,
      int routerConnectTimeoutMs,
      Duration idleTimeout,
      boolean routersOverTls) {
    this.vertx = requireNonNull(vertx, "vertx");
    this.dispatcher = requireNonNull(dispatcher, "dispatcher");
    this.bridging = requireNonNull(bridging, "bridging");
    this.forwardedTrust = requireNonNull(forwardedTrust, "forwardedTrust");
    this.handOffs = requireNonNull(handOffs, "handOffs");
    this.workload = Http1Head.ascii(requireNonNull(workload, "workload"));
    this.app = new RouterAddress(requireNonNull(appHost, "appHost"), appPort);
    this.routerConnectTimeoutMs = routerConnectTimeoutMs;
    this.idleTimeoutNanos = idleTimeout.toNanos();
    this.routersOverTls = routersOverTls;
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
                IdleStateHandler idle = null;
                if (idleTimeoutNanos > 0) {
                  // reads only: measuring writes too would cost a promise on every write
                  idle = new IdleStateHandler(idleTimeoutNanos, 0, 0, TimeUnit.NANOSECONDS);
                  ch.pipeline().addLast("idle", idle);
                }
                ch.pipeline().addLast("front", new FrontConnection(FastFront.this, idle));
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

  /** An outbound connection on {@code inbound}'s event loop. */
  Bootstrap bootstrap(Channel inbound, int connectTimeoutMs) {
    return new Bootstrap()
        .group(inbound.eventLoop())
        .channelFactory(vertx.transport().channelFactory(false))
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.ALLOCATOR, ALLOCATOR)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMs);
  }

  Dispatcher dispatcher() {
    return dispatcher;
  }

  BaggageBridging bridging() {
    return bridging;
  }

  /** Whose forwarding fields the front keeps. */
  ForwardedTrust forwardedTrust() {
    return forwardedTrust;
  }

  HandOffs handOffs() {
    return handOffs;
  }

  byte[] workload() {
    return workload;
  }

  RouterAddress app() {
    return app;
  }

  InetSocketAddress fullProxy() {
    return full;
  }

  /** Whether routers are reached over TLS: then the full proxy carries every matched request. */
  boolean routersOverTls() {
    return routersOverTls;
  }

  int routerConnectTimeoutMs() {
    return routerConnectTimeoutMs;
  }

  long idleTimeoutNanos() {
    return idleTimeoutNanos;
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
}
