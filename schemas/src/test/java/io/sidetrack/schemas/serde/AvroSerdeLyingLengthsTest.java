package io.sidetrack.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Records whose Avro lengths or item counts claim far more than the record holds: refused as a
 * {@link SerializationException} without allocating what they claim.
 */
@Timeout(60)
class AvroSerdeLyingLengthsTest {
  private static final AvroSerdeProperties.Topic ROUTES = AvroSerdeProperties.TOPICS.get(1);

  private static byte[] routeEntry(long... varints) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {AvroSerde.MAGIC_BYTE, 0, 0, 0, (byte) ROUTES.id()});
    for (long v : varints) {
      out.writeBytes(AvroSerdeProperties.varint(v));
    }
    return out.toByteArray();
  }

  @Test
  void aStringLongerThanTheRecordIsRefused() throws Exception {
    assertThat(AvroSerdeProperties.readOrRefuse(ROUTES, routeEntry(Integer.MAX_VALUE - 8)))
        .isInstanceOf(SerializationException.class);
    assertThat(AvroSerdeProperties.readOrRefuse(ROUTES, routeEntry(1 << 30)))
        .isInstanceOf(SerializationException.class);
  }

  @Test
  void anArrayOfMoreItemsThanTheRecordHasIsRefused() throws Exception {
    // interceptId, workload, owner empty; then match.headers claims its item count
    for (long items : new long[] {Integer.MAX_VALUE - 8, 1 << 28, 1 << 20, -(1L << 28)}) {
      assertThat(AvroSerdeProperties.readOrRefuse(ROUTES, routeEntry(0, 0, 0, items)))
          .as("%d items", items)
          .isInstanceOf(SerializationException.class);
    }
  }
}
