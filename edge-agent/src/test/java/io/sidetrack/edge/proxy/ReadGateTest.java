package io.sidetrack.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class ReadGateTest {
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final ReadGate gate = new ReadGate();

  @Test
  void aLinkMadeWhileTheLinkTheBodyGoesToIsFullDoesNotResumeReading() {
    gate.pause(channel, ReadGate.UPSTREAM_FULL);
    gate.pause(channel, ReadGate.CONNECTING);
    gate.resume(channel, ReadGate.CONNECTING);
    assertThat(channel.config().isAutoRead()).isFalse();
    gate.set(channel, ReadGate.UPSTREAM_FULL, false);
    assertThat(channel.config().isAutoRead()).isTrue();
  }

  @Test
  void aLinkThatDrainsDoesNotResumeReadingWhilePipelinedBytesAreHeld() {
    gate.pause(channel, ReadGate.PIPELINED);
    gate.set(channel, ReadGate.UPSTREAM_FULL, true);
    gate.set(channel, ReadGate.UPSTREAM_FULL, false);
    assertThat(channel.config().isAutoRead()).isFalse();
    assertThat(gate.holds(ReadGate.PIPELINED)).isTrue();
    gate.resume(channel, ReadGate.PIPELINED);
    assertThat(channel.config().isAutoRead()).isTrue();
  }

  @Test
  void resumingWhatDidNotPauseLeavesReadingOn() {
    gate.resume(channel, ReadGate.CONNECTING);
    assertThat(channel.config().isAutoRead()).isTrue();
  }
}
