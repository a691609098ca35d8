package io.sidetrack.edge.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.sidetrack.edge.dispatch.RouterAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * One client connection's links to its upstreams, one per address and kept between requests, and
 * the backpressure between them: the client is read only as fast as the link its bytes go to takes
 * them, and a link only as fast as the client takes its answer.
 */
final class FrontLinks {
  private final FastFront server;
  private final FrontConnection front;
  private final ReadGate gate;
  private final Map<RouterAddress, UpstreamLink> links = new HashMap<>(4);

  /** The link the client's bytes last went to: its writability gates reading from the client. */
  private UpstreamLink bodyLink;

  FrontLinks(FastFront server, FrontConnection front, ReadGate gate) {
    this.server = server;
    this.front = front;
    this.gate = gate;
  }

  /** The open link to {@code to}, or null. */
  UpstreamLink live(RouterAddress to) {
    UpstreamLink up = links.get(to);
    return up != null && up.channel.isActive() ? up : null;
  }

  /**
   * Makes a link to {@code to}, the client's reading paused meanwhile; {@code made} hears the link,
   * or null and why not. It hears nothing if the client left meanwhile.
   */
  void open(RouterAddress to, BiConsumer<UpstreamLink, Throwable> made) {
    Channel client = front.client().channel();
    gate.pause(client, ReadGate.CONNECTING); // hold the body until the link is there
    UpstreamLink link = new UpstreamLink(front, to);
    server
        .bootstrap(client, server.routerConnectTimeoutMs())
        .handler(link)
        .connect(to.host(), to.port())
        .addListener(
            (ChannelFuture f) -> {
              // reads on only if nothing else (a full link, pipelined bytes) holds it back
              gate.resume(client, ReadGate.CONNECTING);
              if (!f.isSuccess()) {
                made.accept(null, f.cause());
              } else if (!client.isActive()) {
                f.channel().close(); // the client left while this link was made
              } else {
                links.put(to, link);
                made.accept(link, null);
              }
            });
  }

  /** The client's bytes go to {@code up} now, and its answer comes from it. */
  void attach(UpstreamLink up) {
    Channel client = front.client().channel();
    Channel ch = up.channel;
    boolean clientWritable = client.isWritable();
    if (ch.config().isAutoRead() != clientWritable) {
      ch.config().setAutoRead(clientWritable);
    }
    bodyLink = up;
    gate.set(client, ReadGate.UPSTREAM_FULL, !ch.isWritable());
  }

  /** {@code link} takes bytes again, or not: the client is read accordingly, if they go there. */
  void writabilityChanged(UpstreamLink link, boolean writable) {
    if (bodyLink == link) {
      gate.set(front.client().channel(), ReadGate.UPSTREAM_FULL, !writable);
    }
  }

  /** {@code link} is gone or dropped: no request goes on it, nor does it hold the client back. */
  void forget(UpstreamLink link) {
    links.remove(link.to, link);
    if (bodyLink == link) {
      bodyLink = null;
      gate.resume(front.client().channel(), ReadGate.UPSTREAM_FULL);
    }
  }

  /** Closes every link: the client left, or its connection is handed over. */
  void closeAll() {
    for (UpstreamLink up : links.values()) {
      up.channel.close();
    }
    links.clear();
    bodyLink = null;
  }
}
