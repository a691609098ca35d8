package io.sidetrack.edge.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** Copies bytes from one channel to another, with backpressure both ways. */
final class Pipe extends ChannelInboundHandlerAdapter {
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
