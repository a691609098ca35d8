package io.sidetrack.kafka.interceptor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.records.RecordRouting;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.trust.RouteSignature;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RecordFilterTest {
  private static final TopicPartition ORDERS = new TopicPartition("orders", 0);
  private static final TopicPartition OTHER = new TopicPartition("other", 0);

  private static final RecordRouting ALICE =
      RecordRouting.compile(
          List.of(
              new Route(
                  "i-alice",
                  "shop",
                  "alice",
                  MatchRules.personal("alice"),
                  "router:8071",
                  Instant.EPOCH,
                  FailureMode.FAIL_OPEN,
                  RouteSignature.NONE,
                  List.of("orders"))));

  private static ConsumerRecord<String, String> record(
      TopicPartition tp, long offset, String header, String value) {
    RecordHeaders headers = new RecordHeaders();
    if (header != null) {
      headers.add(header, value.getBytes(StandardCharsets.UTF_8));
    }
    return new ConsumerRecord<>(
        tp.topic(),
        tp.partition(),
        offset,
        0L,
        TimestampType.CREATE_TIME,
        0,
        0,
        "k",
        "v" + offset,
        headers,
        Optional.empty());
  }

  private static ConsumerRecords<String, String> poll() {
    return new ConsumerRecords<>(
        Map.of(
            ORDERS,
            List.of(
                record(ORDERS, 10, null, null),
                record(ORDERS, 11, "x-sidetrack-id", "alice"),
                record(ORDERS, 12, "x-sidetrack-id", "bob"),
                record(ORDERS, 13, "baggage", "sidetrack-id=alice")),
            OTHER,
            List.of(record(OTHER, 5, "x-sidetrack-id", "alice"))),
        Map.of(ORDERS, new OffsetAndMetadata(14), OTHER, new OffsetAndMetadata(6)));
  }

  @Test
  void clusterModeRemovesTheClaimedRecordsOfTheRoutesTopicsOnlyAndKeepsTheNextOffsets() {
    var result = new RecordFilter(null).filter(poll(), ALICE);

    assertThat(result.removed()).isEqualTo(2);
    assertThat(result.records().records(ORDERS))
        .extracting(ConsumerRecord::offset)
        .containsExactly(10L, 12L);
    assertThat(result.records().records(OTHER))
        .extracting(ConsumerRecord::offset)
        .containsExactly(5L);
    assertThat(result.records().nextOffsets())
        .containsEntry(ORDERS, new OffsetAndMetadata(14))
        .containsEntry(OTHER, new OffsetAndMetadata(6));
  }

  @Test
  void developerModeKeepsOnlyTheDevelopersRecords() {
    var result = new RecordFilter("alice").filter(poll(), ALICE);

    assertThat(result.records().records(ORDERS))
        .extracting(ConsumerRecord::offset)
        .containsExactly(11L, 13L);
    assertThat(result.records().records(OTHER)).isEmpty();
    assertThat(result.removed()).isEqualTo(3);
  }

  @Test
  void noRouteOfAPolledTopicReturnsThePollAsItIs() {
    ConsumerRecords<String, String> records = poll();

    assertThat(new RecordFilter(null).filter(records, RecordRouting.empty()).records())
        .isSameAs(records);
  }

  private static RecordRouting routing(MatchRules rules) {
    return RecordRouting.compile(
        List.of(
            new Route(
                "i-1",
                "shop",
                "alice",
                rules,
                "router:8071",
                Instant.EPOCH,
                FailureMode.FAIL_OPEN,
                RouteSignature.NONE,
                List.of("orders"))));
  }

  @Test
  void aBaggageWithoutTheKeysTheRoutesReadIsKeptUnparsedAndOneWithThemIsDecided() {
    RecordFilter cluster = new RecordFilter(null);
    assertThat(ALICE.baggageKeys("orders").length).isEqualTo(1);
    // other members only: no route can take it
    assertThat(cluster.keeps("orders", record(ORDERS, 1, "baggage", "userId=7,tenant=acme"), ALICE))
        .isTrue();
    // the key as a substring of another key: decided by the full parse, which finds no member
    assertThat(
            cluster.keeps("orders", record(ORDERS, 2, "baggage", "my-sidetrack-id=alice"), ALICE))
        .isTrue();
    assertThat(
            cluster.keeps(
                "orders", record(ORDERS, 3, "baggage", "userId=7, sidetrack-id=alice"), ALICE))
        .isFalse();
    // a rule on a header named baggage reads its whole value: never skipped by the key check
    RecordRouting whole = routing(MatchRules.header("baggage", "userId=7"));
    assertThat(cluster.keeps("orders", record(ORDERS, 4, "baggage", "userId=7"), whole)).isFalse();
    assertThat(RecordFilter.holdsAny(null, whole.baggageKeys("orders"))).isFalse();
  }
}
