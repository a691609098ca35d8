package io.sidetrack.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidetrack.tunnel.Frames.Frame;
import io.sidetrack.tunnel.Frames.RequestHead;
import io.sidetrack.tunnel.Frames.ResponseHead;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class FramesTest {
  @Test
  void requestHeadsRoundTripWithRepeatedAndNonAsciiHeaders() {
    MultiMap headers =
        MultiMap.caseInsensitiveMultiMap()
            .add("x-sidetrack-id", "alice")
            .add("accept", "a")
            .add("accept", "b")
            .add("x-name", "Zoë");
    Frame f =
        Frames.decode(Frames.open(7, new RequestHead(Frames.FLAG_BODY, "POST", "/o?q=1", headers)));
    assertThat(f.type()).isEqualTo(Frames.OPEN);
    assertThat(f.stream()).isEqualTo(7);
    RequestHead head = Frames.readOpen(f.payload());
    assertThat(head.method()).isEqualTo("POST");
    assertThat(head.uri()).isEqualTo("/o?q=1");
    assertThat(head.hasBody()).isTrue();
    assertThat(head.upgrade()).isFalse();
    assertThat(head.headers().getAll("accept")).containsExactly("a", "b");
    assertThat(head.headers().get("x-name")).isEqualTo("Zoë");
  }

  @Test
  void responseHeadsDataEndWindowAndResetRoundTrip() {
    ResponseHead head =
        Frames.readHead(
            Frames.decode(
                    Frames.head(
                        3,
                        new ResponseHead(
                            404, "Not Found", MultiMap.caseInsensitiveMultiMap().add("a", "b"))))
                .payload());
    assertThat(head.status()).isEqualTo(404);
    assertThat(head.reason()).isEqualTo("Not Found");
    assertThat(head.headers().get("a")).isEqualTo("b");

    Frame data = Frames.decode(Frames.data(3, Buffer.buffer("hello")));
    assertThat(data.type()).isEqualTo(Frames.DATA);
    assertThat(data.payload().toString()).isEqualTo("hello");

    MultiMap trailers = MultiMap.caseInsensitiveMultiMap().add("grpc-status", "0");
    assertThat(Frames.readEnd(Frames.decode(Frames.end(3, trailers)).payload()).get("grpc-status"))
        .isEqualTo("0");
    assertThat(Frames.readEnd(Frames.decode(Frames.end(3, null)).payload()).isEmpty()).isTrue();
    assertThat(Frames.readWindow(Frames.decode(Frames.window(3, 65536)).payload()))
        .isEqualTo(65536);
    assertThat(Frames.readReset(Frames.decode(Frames.reset(3, "gone")).payload()))
        .isEqualTo("gone");
  }

  @Test
  void malformedFramesAreRefusedNotMisread() {
    assertThatThrownBy(() -> Frames.decode(Buffer.buffer(new byte[] {1, 0})))
        .isInstanceOf(Frames.BadFrame.class)
        .hasMessageContaining("too short");
    assertThatThrownBy(() -> Frames.decode(Buffer.buffer(new byte[] {42, 0, 0, 0, 1})))
        .isInstanceOf(Frames.BadFrame.class)
        .hasMessageContaining("unknown frame type 42");
    Buffer truncated = Frames.open(1, new RequestHead(0, "GET", "/", null));
    Frame f = Frames.decode(truncated.slice(0, truncated.length() - 2));
    assertThatThrownBy(() -> Frames.readOpen(f.payload()))
        .isInstanceOf(Frames.BadFrame.class)
        .hasMessageContaining("truncated");
    Buffer lying = Buffer.buffer().appendByte(Frames.END).appendInt(1).appendInt(-5);
    assertThatThrownBy(() -> Frames.readEnd(Frames.decode(lying).payload()))
        .isInstanceOf(Frames.BadFrame.class)
        .hasMessageContaining("-5 headers");
  }

  @Test
  void aHugeLengthIsABadFrameNotAnOverflow() {
    // pos + Integer.MAX_VALUE wraps negative: the check must not add
    Buffer huge =
        Buffer.buffer().appendByte(Frames.RESET).appendInt(1).appendInt(Integer.MAX_VALUE);
    assertThatThrownBy(() -> Frames.readReset(Frames.decode(huge).payload()))
        .isInstanceOf(Frames.BadFrame.class)
        .hasMessageContaining("truncated");
    Buffer afterStatus =
        Buffer.buffer()
            .appendByte(Frames.HEAD)
            .appendInt(1)
            .appendInt(200)
            .appendInt(Integer.MAX_VALUE - 1);
    assertThatThrownBy(() -> Frames.readHead(Frames.decode(afterStatus).payload()))
        .isInstanceOf(Frames.BadFrame.class)
        .hasMessageContaining("truncated");
  }

  /** A WINDOW that grants nothing or takes credit back is a broken peer (HTTP/2 alike). */
  @Test
  void aWindowIncrementBelowOneIsRefused() {
    for (int n : new int[] {0, -1, Integer.MIN_VALUE}) {
      Buffer frame = Frames.window(3, 1);
      frame.setInt(frame.length() - 4, n);
      assertThatThrownBy(() -> Frames.readWindow(Frames.decode(frame).payload()))
          .isInstanceOf(Frames.BadFrame.class)
          .hasMessage("WINDOW increment must be at least 1, got " + n);
    }
    assertThatThrownBy(() -> Frames.window(3, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
