package io.sidetrack.kafka.interceptor.internal;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.records.RecordRouting;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteMatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Removes from a poll's records those the routing gives away: in cluster mode the records an
 * intercept takes, in developer mode every record but the developer's. The records returned keep
 * their order and the poll's next offsets, so the consumer's position and commits move past the
 * records removed as past any other. Pure; not thread-safe (one per consumer).
 */
public final class RecordFilter {
  private final String developerId;
  private final RecordHeadersView view = new RecordHeadersView();

  /**
   * A filter for the cluster's consumers ({@code developerId} null) or for the consumer of the
   * developer whose intercept id or owner is {@code developerId}.
   */
  public RecordFilter(String developerId) {
    this.developerId = developerId;
  }

  /** The outcome of one poll. */
  public record Result<K, V>(ConsumerRecords<K, V> records, int removed) {}

  /** {@code records} without those the routing gives away. */
  public <K, V> Result<K, V> filter(ConsumerRecords<K, V> records, RecordRouting routing) {
    requireNonNull(routing, "routing");
    if (records.isEmpty()) {
      return new Result<>(records, 0);
    }
    if (developerId == null && !coversAny(records, routing)) {
      return new Result<>(records, 0);
    }
    Map<TopicPartition, List<ConsumerRecord<K, V>>> kept = new HashMap<>();
    int removed = 0;
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<K, V>> all = records.records(tp);
      if (!routing.covers(tp.topic())) {
        if (developerId == null) {
          kept.put(tp, all);
        } else {
          removed += all.size();
        }
        continue;
      }
      List<ConsumerRecord<K, V>> keep = null;
      String[] names = routing.headerNames(tp.topic());
      byte[][] baggageKeys = routing.baggageKeys(tp.topic());
      for (int i = 0; i < all.size(); i++) {
        ConsumerRecord<K, V> r = all.get(i);
        if (keeps(tp.topic(), r, routing, names, baggageKeys)) {
          if (keep != null) {
            keep.add(r);
          }
        } else {
          if (keep == null) {
            keep = new ArrayList<>(all.size());
            keep.addAll(all.subList(0, i));
          }
          removed++;
        }
      }
      List<ConsumerRecord<K, V>> out = keep == null ? all : keep;
      if (!out.isEmpty()) {
        kept.put(tp, out);
      }
    }
    if (removed == 0) {
      return new Result<>(records, 0);
    }
    return new Result<>(new ConsumerRecords<>(kept, records.nextOffsets()), removed);
  }

  private static boolean coversAny(ConsumerRecords<?, ?> records, RecordRouting routing) {
    if (routing.size() == 0) {
      return false;
    }
    for (TopicPartition tp : records.partitions()) {
      if (routing.covers(tp.topic())) {
        return true;
      }
    }
    return false;
  }

  /** Whether the consumer keeps {@code record}. */
  public boolean keeps(String topic, ConsumerRecord<?, ?> record, RecordRouting routing) {
    return keeps(topic, record, routing, routing.headerNames(topic), routing.baggageKeys(topic));
  }

  /** As {@link #keeps(String, ConsumerRecord, RecordRouting)}, the topic's names looked up. */
  private boolean keeps(
      String topic,
      ConsumerRecord<?, ?> record,
      RecordRouting routing,
      String[] names,
      byte[][] baggageKeys) {
    if (!carriesAny(record.headers(), names, baggageKeys)) {
      // no header any route of the topic reads: no route takes it
      return developerId == null;
    }
    Optional<RouteMatch> match = routing.routeFor(topic, view.of(record.headers()));
    if (developerId == null) {
      return match.isEmpty();
    }
    return match.isPresent() && isDevelopers(match.get().route());
  }

  /**
   * Whether {@code headers} has one of {@code names} (lower-case), compared ignoring case; a {@code
   * baggage} header counts only when it holds one of {@code baggageKeys} (so a record whose baggage
   * carries only other members, as traced apps send, costs no parse).
   */
  private static boolean carriesAny(Headers headers, String[] names, byte[][] baggageKeys) {
    if (names.length == 0) {
      return false;
    }
    // read as fetched, without copying keys out or making an iterator: see FetchedHeaders
    List<Header> list = FetchedHeaders.asList(headers);
    if (list != null) {
      for (int i = 0; i < list.size(); i++) {
        if (isRead(list.get(i), names, baggageKeys)) {
          return true;
        }
      }
      return false;
    }
    for (Header h : headers) {
      if (isRead(h, names, baggageKeys)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code h} is one of {@code names}, a {@code baggage} one holding a key. */
  private static boolean isRead(Header h, String[] names, byte[][] baggageKeys) {
    int n = FetchedHeaders.indexOf(h, names);
    return n >= 0 && (!names[n].equals(BAGGAGE) || holdsAny(h.value(), baggageKeys));
  }

  private static final String BAGGAGE = "baggage";

  /** Whether {@code value} contains one of {@code keys} as bytes. */
  static boolean holdsAny(byte[] value, byte[][] keys) {
    if (value == null) {
      return false;
    }
    for (byte[] k : keys) {
      if (indexOf(value, k) >= 0) {
        return true;
      }
    }
    return false;
  }

  private static int indexOf(byte[] in, byte[] part) {
    if (part.length == 0) {
      return 0;
    }
    byte first = part[0];
    for (int i = 0, last = in.length - part.length; i <= last; i++) {
      if (in[i] != first) {
        continue;
      }
      int j = 1;
      while (j < part.length && in[i + j] == part[j]) {
        j++;
      }
      if (j == part.length) {
        return i;
      }
    }
    return -1;
  }

  private boolean isDevelopers(Route route) {
    return route.interceptId().equals(developerId) || route.owner().equals(developerId);
  }
}
