package io.sidetrack.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RecordCodecTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static TunnelRecord record(String value) {
    return new TunnelRecord(
        "orders.created",
        6,
        4,
        1234L,
        1_700_000_000_123L,
        utf8("k-" + value),
        value == null ? null : utf8(value),
        List.of(
            new TunnelRecord.Header("x-sidetrack-id", utf8("alice")),
            new TunnelRecord.Header("empty", null),
            new TunnelRecord.Header("x-sidetrack-id", utf8("twice"))));
  }

  private static void assertSame(TunnelRecord actual, TunnelRecord expected) {
    assertThat(actual.topic()).isEqualTo(expected.topic());
    assertThat(actual.partitions()).isEqualTo(expected.partitions());
    assertThat(actual.partition()).isEqualTo(expected.partition());
    assertThat(actual.offset()).isEqualTo(expected.offset());
    assertThat(actual.timestamp()).isEqualTo(expected.timestamp());
    assertThat(actual.key()).isEqualTo(expected.key());
    assertThat(actual.value()).isEqualTo(expected.value());
    assertThat(actual.headers()).hasSize(expected.headers().size());
    for (int i = 0; i < expected.headers().size(); i++) {
      assertThat(actual.headers().get(i).name()).isEqualTo(expected.headers().get(i).name());
      assertThat(actual.headers().get(i).value()).isEqualTo(expected.headers().get(i).value());
    }
  }

  @Test
  void recordsCutAnywhereComeOutWholeAndInOrder() {
    List<TunnelRecord> sent = List.of(record("one"), record(null), record("x".repeat(70_000)));
    Buffer stream = Buffer.buffer();
    sent.forEach(r -> stream.appendBuffer(RecordCodec.encode(r)));

    for (int cut : new int[] {1, 3, 7, 64, 1000, 65_536, stream.length()}) {
      RecordCodec.Reader reader = new RecordCodec.Reader();
      List<TunnelRecord> got = new ArrayList<>();
      for (int from = 0; from < stream.length(); from += cut) {
        got.addAll(reader.add(stream.slice(from, Math.min(stream.length(), from + cut))));
      }
      assertThat(got).as("pieces of %d bytes", cut).hasSize(3);
      for (int i = 0; i < 3; i++) {
        assertSame(got.get(i), sent.get(i));
      }
      assertThat(reader.buffered()).isZero();
    }
  }

  @Test
  void aPieceIsCopiedSoTheSenderMayReuseItsBuffer() {
    Buffer bytes = RecordCodec.encode(record("value"));
    RecordCodec.Reader reader = new RecordCodec.Reader();
    Buffer first = bytes.getBuffer(0, 10);
    assertThat(reader.add(first)).isEmpty();
    first.setBytes(0, new byte[10]); // the caller's buffer changes after it was handed over
    List<TunnelRecord> got = reader.add(bytes.getBuffer(10, bytes.length()));
    assertThat(got).hasSize(1);
    assertThat(got.get(0).value()).isEqualTo(utf8("value"));
  }

  @Test
  void bytesThatAreNotRecordsAreRefusedWithAReason() {
    assertThatThrownBy(() -> new RecordCodec.Reader().add(Buffer.buffer().appendInt(-5)))
        .isInstanceOf(RecordCodec.BadRecord.class)
        .hasMessageContaining("record of -5 bytes");
    Buffer truncated = Buffer.buffer().appendInt(6).appendInt(100).appendShort((short) 1);
    assertThatThrownBy(() -> new RecordCodec.Reader().add(truncated))
        .isInstanceOf(RecordCodec.BadRecord.class)
        .hasMessageContaining("truncated");
    Buffer full = RecordCodec.encode(record("v"));
    Buffer longer = Buffer.buffer().appendInt(full.length() - 4 + 2);
    longer.appendBuffer(full.slice(4, full.length())).appendShort((short) 0);
    assertThatThrownBy(() -> new RecordCodec.Reader().add(longer))
        .isInstanceOf(RecordCodec.BadRecord.class)
        .hasMessageContaining("2 bytes too many");
  }

  @Test
  void theOpenNamesEachTopicWithItsPartitionsAndSkipsWhatIsNotThat() {
    io.vertx.core.MultiMap head = io.vertx.core.MultiMap.caseInsensitiveMultiMap();
    head.add(RecordCodec.TOPIC_HEADER, RecordCodec.topicHeader("orders.created", 6));
    head.add(RecordCodec.TOPIC_HEADER, RecordCodec.topicHeader("payments", 0));
    head.add(RecordCodec.TOPIC_HEADER, "no-count");
    head.add(RecordCodec.TOPIC_HEADER, "bad:count");
    assertThat(RecordCodec.topicsOf(head))
        .containsExactly(
            java.util.Map.entry("orders.created", 6), java.util.Map.entry("payments", 0));
  }
}
