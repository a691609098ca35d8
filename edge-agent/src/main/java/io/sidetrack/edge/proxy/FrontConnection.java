package io.sidetrack.edge.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.sidetrack.core.SidetrackId;
import io.sidetrack.core.baggage.BaggageBridge;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteMatch;
import io.sidetrack.edge.bridge.BaggageBridging;
import io.sidetrack.edge.dispatch.Dispatch;
import io.sidetrack.edge.dispatch.Dispatcher;
import io.sidetrack.edge.dispatch.FallbackReason;
import io.sidetrack.edge.dispatch.RouterAddress;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of one client connection: frames its pipelined requests one at a time, has the {@link
 * Dispatcher} decide where each goes and carries that out over this connection's {@link
 * UpstreamLink}s, answers itself what cannot be relayed ({@link LocalReplies}), and hands the
 * connection to the full proxy ({@link HandOff}) at the first request the front does not relay.
 */
final class FrontConnection extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(FrontConnection.class);

  /** Pipelined bytes held back while a request is answered, before reading pauses. */
  private static final int MAX_PIPELINED = 64 * 1024;

  private static final byte[] HEAD = Http1Head.ascii("HEAD");

  private final FastFront server;
  private final IdleStateHandler idle;
  private ChannelHandlerContext ctx;

  /** Bytes read from the client and not yet relayed. */
  private ByteBuf held;

  private final Http1Head request = new Http1Head();
  private final BodyScanner requestBody = new BodyScanner();
  private Exchange current;
  private boolean processing;

  /** Set once the connection is to close: nothing more it sent is read. */
  private boolean closing;

  private HandOff handOff;
  private ClientForwarding forwarding;

  /** Why reading from the client is paused: it reads on only when none of these holds. */
  private final ReadGate gate = new ReadGate();

  private final FrontLinks links;

  /** Since when no request has been under way (System.nanoTime), for a head that trickles in. */
  private long idleSince;

  /** {@code idle} is the connection's idle handler, or null without an idle timeout. */
  FrontConnection(FastFront server, IdleStateHandler idle) {
    this.server = server;
    this.idle = idle;
    this.links = new FrontLinks(server, this, gate);
  }

  @Override
  public boolean isSharable() {
    return false;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  ChannelHandlerContext client() {
    return ctx;
  }

  Exchange current() {
    return current;
  }

  FrontLinks links() {
    return links;
  }

  Dispatcher dispatcher() {
    return server.dispatcher();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    idleSince = System.nanoTime();
    ctx.fireChannelActive();
  }

  /**
   * No bytes came for the idle timeout: a connection with no request under way closes, after a 408
   * if a request head is still coming in. A request under way is never cut.
   */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (!(evt instanceof IdleStateEvent)) {
      ctx.fireUserEventTriggered(evt);
      return;
    }
    if (current != null || handOff != null || closing) {
      return;
    }
    if (held != null && held.isReadable()) {
      badRequest(408, "request head not complete within the idle timeout");
    } else {
      closing = true;
      ctx.close();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (handOff != null) {
      handOff.read(in);
      return;
    }
    held = FastFront.append(held, in);
    process();
  }

  /** Relays what the held bytes allow: a new request, the rest of a body, or nothing yet. */
  private void process() {
    if (processing) {
      return;
    }
    processing = true;
    try {
      while (held != null && held.isReadable() && handOff == null && !closing) {
        Exchange ex = current;
        if (ex == null) {
          skipBlankLines();
          if (!held.isReadable() || !startNext()) {
            break;
          }
        } else if (!ex.requestEnded) {
          relayBody(ex);
        } else {
          if (held.readableBytes() > MAX_PIPELINED) {
            gate.pause(ctx.channel(), ReadGate.PIPELINED); // finish() reads on
          }
          break;
        }
      }
      if (held != null && !held.isReadable() && handOff == null) {
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
    int end = Http1Head.findEnd(held, FastFront.MAX_HEAD);
    if (end < 0) {
      if (held.readableBytes() >= FastFront.MAX_HEAD) {
        badRequest(431, "request head too large");
      } else if (idle != null && System.nanoTime() - idleSince >= server.idleTimeoutNanos()) {
        // bytes trickling in keep the idle handler quiet, not the head from its timeout
        badRequest(408, "request head not complete within the idle timeout");
      }
      return false;
    }
    String error = request.parseRequest(held, end);
    if (error != null) {
      badRequest(400, error);
      return false;
    }
    if (request.transferEncoding && !request.chunked) {
      badRequest(400, "transfer-encoding without chunked last");
      return false;
    }
    boolean hasBody = request.chunked || request.contentLength > 0;
    Optional<RouteMatch> match = dispatcher().match(request);
    if (HandOff.needed(request, match.isPresent(), hasBody, server.routersOverTls())) {
      startHandOff();
      return false;
    }
    held.readerIndex(end);
    requestBody.reset(
        request.chunked ? BodyScanner.CHUNKED : BodyScanner.LENGTH, request.contentLength);
    RouteMatch m = match.orElse(null);
    Route route = m == null ? null : m.route();
    Exchange ex = new Exchange(hasBody, !request.close, request.methodIs(HEAD), route);
    current = ex;
    carryOut(ex, dispatcher().dispatch(m));
    return true;
  }

  /** Carries out the dispatcher's decision for the current exchange {@code ex}. */
  void carryOut(Exchange ex, Dispatch d) {
    if (d instanceof Dispatch.ToRouter r) {
      send(ex, r.router());
    } else if (d instanceof Dispatch.Fallback f) {
      ex.fallback = f.reason();
      ex.upstream = null;
      send(ex, server.app());
    } else if (d instanceof Dispatch.FailClosed c) {
      reply(503, c.message(), c.reason(), true);
    } else {
      send(ex, server.app());
    }
  }

  /** Relays the body bytes held, as they are. */
  private void relayBody(Exchange ex) {
    int n = requestBody.scan(held);
    if (n < 0) {
      LOG.debug("Malformed chunked request body from {}", forwarding());
      if (ex.headWritten) {
        closeNow();
      } else {
        badRequest(400, "malformed chunked body");
      }
      held.skipBytes(held.readableBytes());
      return;
    }
    ex.relay(held.readRetainedSlice(n), requestBody.done());
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    Exchange ex = current;
    if (ex != null && ex.upstream != null) {
      ex.upstream.channel.flush();
    }
    ctx.flush();
  }

  /** The client takes answers again, or not: the link its answer comes on reads accordingly. */
  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    boolean writable = ctx.channel().isWritable();
    Exchange ex = current;
    if (ex != null && ex.upstream != null) {
      ex.upstream.channel.config().setAutoRead(writable);
    }
    if (handOff != null && handOff.full() != null) {
      handOff.full().config().setAutoRead(writable);
    }
    ctx.fireChannelWritabilityChanged();
  }

  /** Sends the exchange's request to {@code to}, over this connection's link to it. */
  void send(Exchange ex, RouterAddress to) {
    UpstreamLink up = links.live(to);
    if (up != null) {
      begin(ex, up);
      return;
    }
    links.open(
        to,
        (link, cause) -> {
          if (current != ex) {
            return;
          }
          if (link == null) {
            connectFailed(ex, to, cause);
            return;
          }
          begin(ex, link);
          process(); // body bytes that came while connecting
        });
  }

  private void connectFailed(Exchange ex, RouterAddress to, Throwable cause) {
    if (ex.toRouter()) {
      LOG.debug("Router {} unreachable: {}", ex.route.target(), cause.toString());
      carryOut(ex, dispatcher().routerFailed(ex.route, FallbackReason.ROUTER_UNREACHABLE));
    } else {
      badGateway("app unreachable at " + to.host() + ":" + to.port());
    }
  }

  /**
   * Sends the request's head, made fit for the next hop, and any body bytes held, on {@code up}.
   */
  private void begin(Exchange ex, UpstreamLink up) {
    ex.upstream = up;
    links.attach(up);
    Route served = ex.toRouter() ? ex.route : null;
    BaggageBridge.Merge bridge = bridge(served);
    ByteBuf out =
        up.channel
            .alloc()
            .directBuffer(request.length + 256 + (bridge == null ? 0 : bridge.text().length()));
    HeadRewriter.nextHopRequest(
        out,
        request,
        forwarding(),
        served == null ? null : served.interceptId(),
        server.workload(),
        bridge);
    up.send(ex, out);
  }

  /**
   * The baggage member the request gets on its way to the router of {@code served} (null: to the
   * app), or null; a request without {@code x-sidetrack-id} on its way to the app costs a bit test.
   * The head may grow up to the longest this front accepts.
   */
  private BaggageBridge.Merge bridge(Route served) {
    BaggageBridging bridging = server.bridging();
    if (!bridging.applies(request.has(Http1Head.SIDETRACK_ID), served)) {
      return null;
    }
    return bridging.merge(
        request.values(Http1Head.BAGGAGE),
        request.headerValues(SidetrackId.HEADER),
        served,
        FastFront.MAX_HEAD - request.length);
  }

  private ClientForwarding forwarding() {
    if (forwarding == null) {
      forwarding = ClientForwarding.of(ctx.channel(), server.forwardedTrust());
    }
    return forwarding;
  }

  // ---- ends of exchanges -------------------------------------------------------------------

  /** The exchange is over: the next pipelined request, if any, goes. */
  void finish(Exchange ex) {
    current = null;
    idleSince = System.nanoTime();
    if (idle != null) {
      idle.resetReadTimeout();
    }
    if (!ex.keepAlive || ex.closeAfter) {
      closeAfterFlush();
      return;
    }
    gate.resume(ctx.channel(), ReadGate.PIPELINED);
    process();
  }

  /** Closes the client's connection once what was written to it is out. */
  void closeAfterFlush() {
    closing = true;
    current = null;
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  /** Closes the client's connection now: an answer to it broke off. */
  void closeNow() {
    closing = true;
    ctx.close();
  }

  void badGateway(String why) {
    LOG.debug("502 for {} {}: {}", request.method(), request.path(), why);
    reply(502, why + "\n", null, false);
  }

  /** Answers a request that cannot be read, and closes: what follows it cannot be framed. */
  private void badRequest(int status, String why) {
    LOG.debug("{} for a request from {}: {}", status, forwarding(), why);
    if (held != null) {
      held.skipBytes(held.readableBytes());
    }
    current = null;
    writeReply(status, why + "\n", null, false, false);
  }

  /** Answers the current request here. */
  private void reply(int status, String text, FallbackReason fallback, boolean retry) {
    Exchange ex = current;
    boolean keepAlive = ex != null && ex.keepAlive && ex.requestEnded;
    if (ex != null) {
      ex.answeredHere();
    }
    writeReply(status, text, fallback, retry, keepAlive);
    if (keepAlive) {
      finish(ex);
    } else {
      current = null;
    }
  }

  private void writeReply(
      int status, String text, FallbackReason fallback, boolean retry, boolean keepAlive) {
    ChannelFuture written =
        ctx.writeAndFlush(
            LocalReplies.reply(ctx.alloc(), status, text, fallback, retry, keepAlive));
    if (!keepAlive) {
      closing = true;
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  // ---- handing the connection to the full proxy --------------------------------------------

  /** The held bytes, from this request's head on, and all that follows go to the full proxy. */
  private void startHandOff() {
    links.closeAll();
    if (idle != null) {
      ctx.pipeline().remove(idle); // the full proxy has its own
    }
    ByteBuf bytes = held;
    held = null;
    handOff = HandOff.start(server, ctx, this, bytes);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    Exchange ex = current;
    current = null;
    links.closeAll();
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
    if (handOff != null) {
      handOff.close();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("Inbound connection failed: {}", cause.toString());
    ctx.close();
  }
}
