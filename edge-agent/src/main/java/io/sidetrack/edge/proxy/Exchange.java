package io.sidetrack.edge.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import io.sidetrack.core.routing.Route;
import io.sidetrack.edge.dispatch.Dispatch;
import io.sidetrack.edge.dispatch.FallbackReason;
import java.util.ArrayDeque;

/** One request being relayed by the front, from its head to the end of its answer. */
final class Exchange {
  final boolean hasBody;
  final boolean keepAlive;
  final boolean head;

  /** The route it matched, or null. */
  final Route route;

  /** Why it went to the app though it matched, or null. */
  FallbackReason fallback;

  /** What to do once a router's no-tunnel answer, being read and dropped, has ended. */
  Dispatch afterDiscard;

  UpstreamLink upstream;

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

  /** Whether it is going to its route's router (matched, and not fallen back). */
  boolean toRouter() {
    return route != null && fallback == null;
  }

  /** Body bytes of this request: on to its link, or held until the link is there. */
  void relay(ByteBuf part, boolean ended) {
    requestEnded = ended;
    if (upstream == null) {
      if (early == null) {
        early = new ArrayDeque<>();
      }
      early.add(part);
      return;
    }
    Channel up = upstream.channel;
    up.write(part, up.voidPromise());
    if (ended) {
      up.flush();
    }
  }

  /** The front answers this request itself: nothing more goes upstream, nor comes back. */
  void answeredHere() {
    headWritten = true;
    releaseEarly();
    if (upstream != null && upstream.exchange == this) {
      upstream.drop(); // an answer may still be coming on it: nobody is to get it
    }
  }

  void releaseEarly() {
    if (early != null) {
      early.forEach(ReferenceCountUtil::release);
      early.clear();
    }
  }
}
