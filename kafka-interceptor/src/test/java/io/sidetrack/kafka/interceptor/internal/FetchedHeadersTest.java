package io.sidetrack.kafka.interceptor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FetchedHeadersTest {
  /** A header as a consumer's fetch makes it: key and value over bytes, decoded when asked. */
  private static RecordHeader fetched(String key) {
    return new RecordHeader(
        ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)), ByteBuffer.wrap(new byte[] {1}));
  }

  @ParameterizedTest
  @ValueSource(strings = {"x-sidetrack-id", "X-Sidetrack-Id", "X-SIDETRACK-ID", "x-SiDeTrAcK-iD"})
  void aKeyIsTheNameIgnoringAsciiCase(String key) {
    assertThat(FetchedHeaders.is(fetched(key), "x-sidetrack-id")).isTrue();
    assertThat(FetchedHeaders.is(new RecordHeader(key, new byte[] {1}), "x-sidetrack-id")).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "x-sidetrack-i",
        "x-sidetrack-idd",
        "y-sidetrack-id",
        "x_sidetrack-id",
        "traceparent",
        "",
        // as HTTP compares field names: no Unicode folding (equalsIgnoreCase takes these three)
        "x-sidetrac\u212a-id",
        "x-sidetrack-\u0130d",
        "X-S\u0131DETRACK-ID"
      })
  void anyOtherKeyIsNot(String key) {
    assertThat(FetchedHeaders.is(fetched(key), "x-sidetrack-id")).isFalse();
    assertThat(FetchedHeaders.is(new RecordHeader(key, new byte[] {1}), "x-sidetrack-id"))
        .isFalse();
  }

  @Test
  void indexOfNamesTheFirstNameTheKeyIs() {
    String[] names = {"x-sidetrack-id", "baggage"};

    assertThat(FetchedHeaders.indexOf(fetched("Baggage"), names)).isEqualTo(1);
    assertThat(FetchedHeaders.indexOf(new RecordHeader("X-Sidetrack-ID", null), names)).isZero();
    assertThat(FetchedHeaders.indexOf(fetched("traceparent"), names)).isEqualTo(-1);
  }

  @Test
  void aFetchedHeadersKeyIsComparedWithoutBeingDecoded() {
    RecordHeader traceparent = fetched("traceparent");
    RecordHeader id = fetched("X-Sidetrack-Id");

    for (Header h : List.of(traceparent, id)) {
      FetchedHeaders.is(h, "x-sidetrack-id");
      FetchedHeaders.is(h, "baggage");
    }

    // still the fetched bytes: no string was made of either key
    assertThat(FetchedHeaders.undecoded(traceparent)).isNotNull();
    assertThat(FetchedHeaders.undecoded(id)).isNotNull();
    // and the header answers as before when its key is asked for
    assertThat(id.key()).isEqualTo("X-Sidetrack-Id");
    assertThat(FetchedHeaders.undecoded(id)).isNull();
    assertThat(FetchedHeaders.is(id, "x-sidetrack-id")).isTrue();
  }

  @Test
  void aKeyBufferNotAtItsStartIsReadFromItsPosition() {
    ByteBuffer b = ByteBuffer.wrap("..baggage".getBytes(StandardCharsets.US_ASCII));
    b.position(2);
    RecordHeader h = new RecordHeader(b.slice(), null);
    ByteBuffer shifted = ByteBuffer.wrap("..baggage".getBytes(StandardCharsets.US_ASCII), 2, 7);
    RecordHeader g = new RecordHeader(shifted, null);

    assertThat(FetchedHeaders.is(h, "baggage")).isTrue();
    assertThat(FetchedHeaders.is(g, "baggage")).isTrue();
    assertThat(g.key()).isEqualTo("baggage");
  }

  @Test
  void aFetchedValueIsDecodedAsValueWouldGiveItWithoutBeingCopiedOut() {
    byte[] bytes = "..alice-\u00e9t\u00e9..".getBytes(StandardCharsets.UTF_8);
    ByteBuffer value = ByteBuffer.wrap(bytes, 2, bytes.length - 4).slice();
    RecordHeader fetched = new RecordHeader(ByteBuffer.wrap(utf8("x-sidetrack-id")), value);

    assertThat(FetchedHeaders.valueAsString(fetched)).isEqualTo("alice-\u00e9t\u00e9");
    // the value was read where it was: value() still copies it out as before
    assertThat(new String(fetched.value(), StandardCharsets.UTF_8))
        .isEqualTo("alice-\u00e9t\u00e9");
    // and once copied, the copy is what is read
    assertThat(FetchedHeaders.valueAsString(fetched)).isEqualTo("alice-\u00e9t\u00e9");
  }

  @Test
  void aHeaderWithoutAValueHasNoString() {
    assertThat(FetchedHeaders.valueAsString(new RecordHeader(ByteBuffer.wrap(utf8("k")), null)))
        .isNull();
    assertThat(FetchedHeaders.valueAsString(new RecordHeader("k", null))).isNull();
    assertThat(FetchedHeaders.valueAsString(new RecordHeader("k", utf8("v")))).isEqualTo("v");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aRecordsHeadersAreReadAsTheListKafkaKeepsThem() {
    RecordHeader a = fetched("traceparent");
    RecordHeader b = fetched("x-sidetrack-id");
    RecordHeaders headers = new RecordHeaders(new Header[] {a, b});

    assertThat(FetchedHeaders.asList(headers)).containsExactly(a, b);
    headers.add("baggage", utf8("sidetrack-id=alice"));
    assertThat(FetchedHeaders.asList(headers)).hasSize(3);
  }

  @Test
  void headersOfAnotherKindAreNotReadAsAList() {
    RecordHeaders inner = new RecordHeaders(new Header[] {fetched("k")});
    Headers other =
        new Headers() {
          @Override
          public Headers add(Header header) {
            return inner.add(header);
          }

          @Override
          public Headers add(String key, byte[] value) {
            return inner.add(key, value);
          }

          @Override
          public Headers remove(String key) {
            return inner.remove(key);
          }

          @Override
          public Header lastHeader(String key) {
            return inner.lastHeader(key);
          }

          @Override
          public Iterable<Header> headers(String key) {
            return inner.headers(key);
          }

          @Override
          public Header[] toArray() {
            return inner.toArray();
          }

          @Override
          public java.util.Iterator<Header> iterator() {
            return inner.iterator();
          }
        };

    assertThat(FetchedHeaders.asList(other)).isNull();
  }
}
