package io.sidetrack.edge.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.sidetrack.edge.dispatch.FallbackReason;
import io.sidetrack.edge.dispatch.RouterAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's link to an upstream (the app or a router): the handler of that
 * connection, which reads each answer's head in place, relays it rewritten and its body as it is to
 * the client, and tells the client's {@link FrontConnection} how the answer ended. A link carries
 * one request at a time; it is kept for the next request to the same upstream.
 */
final class UpstreamLink extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamLink.class);

  /** An answer's body this small goes out in the same write as its head. */
  private static final int INLINE_BODY = 2 * 1024;

  private final FrontConnection front;
  final RouterAddress to;
  Channel channel;
  Exchange exchange;
  private ByteBuf held;
  private final Http1Head head = new Http1Head();
  private final BodyScanner body = new BodyScanner();
  private boolean inBody;
  private boolean closesAfter;

  UpstreamLink(FrontConnection front, RouterAddress to) {
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

  /** {@code ex}'s request goes out on this link, {@code head} first: its answer comes next. */
  void send(Exchange ex, ByteBuf head) {
    exchange = ex;
    inBody = false;
    Channel ch = channel;
    if (ex.early == null || ex.early.isEmpty()) {
      if (ex.hasBody) {
        ch.write(head, ch.voidPromise()); // the body follows
      } else {
        ch.writeAndFlush(head, ch.voidPromise());
      }
      return;
    }
    ch.write(head, ch.voidPromise());
    while (!ex.early.isEmpty()) {
      ch.write(ex.early.poll(), ch.voidPromise());
    }
    ch.flush();
  }

  /** This link is done: closed, and no longer offered to requests. */
  void drop() {
    front.links().forget(this);
    exchange = null;
    if (held != null) {
      held.release();
      held = null;
    }
    channel.close();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    held = FastFront.append(held, in);
    answer();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    front.client().flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    front.links().writabilityChanged(this, ctx.channel().isWritable());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    front.links().forget(this);
    closed();
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

  /** Relays what the held bytes allow of the answer to this link's exchange. */
  private void answer() {
    ChannelHandlerContext client = front.client();
    while (held != null && held.isReadable()) {
      Exchange ex = exchange;
      if (ex == null || ex != front.current()) {
        // bytes nobody asked for: this link cannot be trusted with another request
        drop();
        return;
      }
      if (!inBody) {
        if (!answerHead(client, ex)) {
          return;
        }
      } else {
        int n = body.scan(held);
        if (n < 0) {
          broken(ex, "malformed chunked answer");
          return;
        }
        ByteBuf part = held.readRetainedSlice(n);
        if (ex.discarding) {
          part.release();
        } else {
          client.write(part, client.voidPromise());
        }
      }
      if (inBody && body.done()) {
        answered(ex);
      }
    }
    if (held != null && !held.isReadable()) {
      held.release();
      held = null;
    }
  }

  /** Reads the answer's head; false when more bytes are needed or the link failed. */
  private boolean answerHead(ChannelHandlerContext client, Exchange ex) {
    int end = Http1Head.findEnd(held, FastFront.MAX_HEAD);
    if (end < 0) {
      if (held.readableBytes() >= FastFront.MAX_HEAD) {
        broken(ex, "answer head too large");
      }
      return false;
    }
    Http1Head h = head;
    String error = h.parseResponse(held, end);
    if (error != null) {
      broken(ex, error);
      return false;
    }
    held.readerIndex(end);
    int status = h.status;
    if (status >= 100 && status < 200) {
      if (status == 101) {
        broken(ex, "unexpected 101 answer");
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
    body.reset(mode, h.contentLength);
    inBody = true;
    closesAfter = h.close || !h.http11() || mode == BodyScanner.UNTIL_CLOSE;
    if (ex.toRouter()) {
      if (h.has(Http1Head.NO_TUNNEL) && !ex.hasBody) {
        // read it to its end, then do what the dispatcher says instead
        ex.discarding = true;
        ex.afterDiscard = front.dispatcher().noTunnel(ex.route);
        return true;
      }
      front.dispatcher().relayed(ex.route);
    }
    // an answer that starts before the whole request came ends the connection: the rest of
    // that request could not be told from a next one
    boolean closeClient = !ex.keepAlive || mode == BodyScanner.UNTIL_CLOSE || !ex.requestEnded;
    ex.closeAfter = closeClient;
    ByteBuf out = client.alloc().directBuffer(h.length + 128 + INLINE_BODY);
    HeadRewriter.clientAnswer(out, h, ex.fallback, closeClient);
    if (mode == BodyScanner.LENGTH
        && body.remaining() <= INLINE_BODY
        && held.readableBytes() >= body.remaining()) {
      // a small body that is all here: one write for the whole answer
      out.writeBytes(held, body.scan(held));
    }
    ex.headWritten = true;
    client.write(out, client.voidPromise());
    return true;
  }

  /** The answer is over: the link is free for the next request, and the exchange goes on. */
  private void answered(Exchange ex) {
    inBody = false;
    exchange = null;
    if (closesAfter) {
      drop();
    }
    if (ex.discarding) {
      ex.discarding = false;
      if (!ex.headWritten) {
        front.carryOut(ex, ex.afterDiscard);
      }
      return;
    }
    front.finish(ex);
  }

  /** The upstream sent what cannot be relayed: it is dropped, and the client told. */
  private void broken(Exchange ex, String why) {
    LOG.debug("Upstream {} broke its answer: {}", to, why);
    drop();
    if (ex.headWritten) {
      front.closeNow();
    } else {
      front.badGateway("upstream answered badly: " + why);
    }
  }

  /** The upstream went away. */
  private void closed() {
    Exchange ex = exchange;
    if (ex == null
        || ex != front.current()
        || ex.upstream != this
        || !front.client().channel().isActive()) {
      return;
    }
    if (inBody && body.mode() == BodyScanner.UNTIL_CLOSE) {
      // an answer delimited by the end of its connection: it is whole now
      exchange = null;
      inBody = false;
      if (ex.discarding) {
        ex.discarding = false;
        front.carryOut(ex, ex.afterDiscard);
        return;
      }
      front.closeAfterFlush();
      return;
    }
    if (!ex.headWritten && !ex.hasBody && !ex.retried && !ex.discarding && !inBody) {
      // a kept-alive link the other side had just closed: once more, on a new one
      ex.retried = true;
      ex.upstream = null;
      front.send(ex, to);
      return;
    }
    if (!ex.headWritten && ex.discarding) {
      ex.discarding = false;
      front.carryOut(ex, ex.afterDiscard);
    } else if (!ex.headWritten && ex.toRouter() && !ex.hasBody) {
      front.carryOut(ex, front.dispatcher().routerFailed(ex.route, FallbackReason.ROUTER_FAILED));
    } else if (!ex.headWritten) {
      front.badGateway("upstream closed the connection");
    } else {
      front.closeNow();
    }
  }
}
