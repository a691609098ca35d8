package io.sidetrack.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.sidetrack.testkit.NettyLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The leak check the fuzz properties rely on does catch a buffer that is never released. */
@Timeout(60)
class NettyLeaksTest {
  @Test
  void aBufferNeverReleasedIsReported() {
    NettyLeaks.collect(); // whatever earlier tests left
    leak();
    assertThat(NettyLeaks.collect()).anySatisfy(r -> assertThat(r).contains("ByteBuf leaked"));
    ByteBuf released = PooledByteBufAllocator.DEFAULT.directBuffer(16).writeInt(1);
    released.release();
    assertThat(NettyLeaks.collect()).isEmpty();
  }

  private static void leak() {
    PooledByteBufAllocator.DEFAULT.directBuffer(16).writeInt(42);
  }
}
