package io.sidetrack.edge.proxy;

import io.netty.channel.Channel;

/**
 * Why a connection's reading is paused. Several things pause it at once (a link still being made, a
 * full link to the next hop, pipelined bytes held back), and each one's end must not resume reading
 * while another still holds: the channel reads only when no reason is left.
 */
final class ReadGate {
  /** The link a request's bytes are to go to is still being made. */
  static final int CONNECTING = 1;

  /** Enough pipelined bytes are held while a request is answered. */
  static final int PIPELINED = 2;

  /** The link the client's bytes go to is not writable. */
  static final int UPSTREAM_FULL = 4;

  private int reasons;

  /** Pauses {@code channel}'s reading for {@code reason}. */
  void pause(Channel channel, int reason) {
    reasons |= reason;
    if (channel.config().isAutoRead()) {
      channel.config().setAutoRead(false);
    }
  }

  /** {@code reason} no longer holds: {@code channel} reads on if nothing else holds it back. */
  void resume(Channel channel, int reason) {
    reasons &= ~reason;
    if (reasons == 0 && !channel.config().isAutoRead()) {
      channel.config().setAutoRead(true);
    }
  }

  /** Pauses for {@code reason} if {@code holds}, else resumes for it. */
  void set(Channel channel, int reason, boolean holds) {
    if (holds) {
      pause(channel, reason);
    } else {
      resume(channel, reason);
    }
  }

  /** Whether reading is paused for {@code reason}. */
  boolean holds(int reason) {
    return (reasons & reason) != 0;
  }
}
