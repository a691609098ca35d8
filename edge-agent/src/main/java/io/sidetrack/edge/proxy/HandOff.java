package io.sidetrack.edge.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * A client connection being handed, from one request's head on, to the full Vert.x proxy behind the
 * front: a loopback connection to it is made, the bytes held and those that come meanwhile go
 * first, and then two {@link Pipe}s copy both ways and the front's handler leaves the pipeline.
 */
final class HandOff {
  private static final byte[] CONNECT = Http1Head.ascii("CONNECT");
  private static final byte[] PRI = Http1Head.ascii("PRI");

  private final ChannelHandlerContext ctx;
  private final ArrayDeque<ByteBuf> raw = new ArrayDeque<>();
  private Channel full;
  private boolean closed;

  private HandOff(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Whether {@code request} goes to the full proxy, which the front does not relay itself: other
   * versions than HTTP/1.1, tunnels, upgrades, {@code Expect}, and a matched request with a body
   * (the full proxy can hold it to replay it to the app), or any matched request when routers are
   * reached over TLS, which the front does not speak.
   */
  static boolean needed(
      Http1Head request, boolean matched, boolean hasBody, boolean routersOverTls) {
    return !request.http11()
        || request.methodIs(CONNECT)
        || request.methodIs(PRI)
        || request.has(Http1Head.UPGRADE)
        || request.has(Http1Head.EXPECT)
        || (matched && (hasBody || routersOverTls));
  }

  /**
   * Hands {@code ctx}'s connection over, starting with {@code held}; {@code front} is the handler
   * the pipes replace.
   */
  static HandOff start(
      FastFront server, ChannelHandlerContext ctx, ChannelHandler front, ByteBuf held) {
    HandOff h = new HandOff(ctx);
    h.raw.add(held);
    Channel client = ctx.channel();
    client.config().setAutoRead(false);
    InetSocketAddress clientAddress = (InetSocketAddress) client.remoteAddress();
    server
        .bootstrap(client, 5_000)
        .handler(new Pipe(client))
        .connect(server.fullProxy())
        .addListener(
            (ChannelFuture f) -> {
              if (!f.isSuccess() || h.closed) {
                f.channel().close();
                ctx.close();
                return;
              }
              Channel full = f.channel();
              h.full = full;
              int port = ((InetSocketAddress) full.localAddress()).getPort();
              server.handOffs().handedOff(port, clientAddress);
              full.closeFuture()
                  .addListener(x -> server.handOffs().handedOffClosed(port, clientAddress));
              h.flush();
              ctx.pipeline().replace(front, "pipe", new Pipe(full));
              // from here the pipes gate reading; the bytes held may have filled the link already
              client.config().setAutoRead(full.isWritable());
            });
    return h;
  }

  /** Bytes the client sent while the link to the full proxy was being made. */
  void read(ByteBuf in) {
    raw.add(in);
    if (full != null) {
      flush();
    }
  }

  private void flush() {
    while (!raw.isEmpty()) {
      full.write(raw.poll());
    }
    full.flush();
  }

  /** The client went away. */
  void close() {
    closed = true;
    raw.forEach(ReferenceCountUtil::release);
    raw.clear();
    if (full != null) {
      full.close();
    }
  }

  /** The full proxy's link, once made (its writability gates the client's reading). */
  Channel full() {
    return full;
  }
}
