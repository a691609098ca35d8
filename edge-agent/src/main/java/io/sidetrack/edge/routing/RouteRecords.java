package io.sidetrack.edge.routing;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteTableBuilder;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.RouteEntrySkim;
import io.sidetrack.schemas.SharedStrings;
import io.sidetrack.schemas.avro.RouteEntry;
import io.sidetrack.schemas.serde.AvroSerde;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the route records of {@code sidetrack.routes} on the feed's decode threads. A record read
 * while tailing is decoded and its signature verified. A record of a partition's first read is
 * decoded but not verified ({@link RouteTrust} checks it before use), and an exact route written
 * with this build's schema is not even decoded: it is {@linkplain RouteEntrySkim skimmed}, indexed
 * by what the skim read, and decoded whole from the record's bytes when first needed. A new agent
 * so indexes 100,000 routes without decoding them first. One that cannot be decoded then is logged,
 * counted and takes no request. The serde may still be coming when the first record is (its
 * registry client starts beside the consumer).
 */
final class RouteRecords implements Deserializer<CheckedRoute> {
  private static final Logger LOG = LoggerFactory.getLogger(RouteRecords.class);

  /**
   * How many distinct repeated strings (owners, targets, header names...) the decoder keeps one
   * instance of: 100,000 routes hold each once instead of once per route.
   */
  private static final int SHARED_STRINGS = 4096;

  private final String workload;
  private final Supplier<AvroSerde<RouteEntry>> entries;
  private final TrustedKeys trustedRouters;
  private final BooleanSupplier firstRead;
  private final SharedStrings shared = new SharedStrings(SHARED_STRINGS);

  /** Per writer schema id: whether its records can be skimmed. */
  private final Map<Integer, Boolean> skimmable = new ConcurrentHashMap<>();

  private volatile AvroSerde<RouteEntry> serde;

  /** {@code firstRead} says whether the records decoded now are of a partition's first read. */
  RouteRecords(
      String workload,
      Supplier<AvroSerde<RouteEntry>> entries,
      TrustedKeys trustedRouters,
      BooleanSupplier firstRead) {
    this.workload = requireNonNull(workload, "workload");
    this.entries = requireNonNull(entries, "entries");
    this.trustedRouters = requireNonNull(trustedRouters, "trustedRouters");
    this.firstRead = requireNonNull(firstRead, "firstRead");
  }

  @Override
  public CheckedRoute deserialize(String topic, byte[] data) {
    AvroSerde<RouteEntry> s = serde;
    if (s == null) {
      s = requireNonNull(entries.get(), "route entry serde");
      serde = s;
    }
    if (!firstRead.getAsBoolean()) {
      return CheckedRoute.checked(whole(s, topic, data), trustedRouters);
    }
    if (data != null && skimmable(s, topic, data)) {
      RouteEntrySkim.Skimmed skimmed = RouteEntrySkim.skim(data, shared);
      if (RouteTableBuilder.canDefer(skimmed.match())) {
        AvroSerde<RouteEntry> from = s;
        // what the table keeps until the route is decoded: the record's bytes, and no more
        String id = skimmed.interceptId();
        return CheckedRoute.deferred(
            skimmed, () -> wholeOrNull(from, topic, data, id), trustedRouters);
      }
    }
    return CheckedRoute.unchecked(whole(s, topic, data), trustedRouters);
  }

  private Route whole(AvroSerde<RouteEntry> s, String topic, byte[] data) {
    return AvroMapping.toRoute(s.deserialize(topic, data), shared);
  }

  /**
   * Whether records of {@code data}'s writer schema can be skimmed, found once per schema id. The
   * first record of an id is decoded whole here too, so the reader a skimmed route is decoded with
   * later is made now: decoding one then needs no schema registry.
   */
  private boolean skimmable(AvroSerde<RouteEntry> s, String topic, byte[] data) {
    int id = AvroSerde.schemaId(topic, data);
    Boolean known = skimmable.get(id);
    if (known == null) {
      whole(s, topic, data);
      known = RouteEntrySkim.reads(s.writerSchema(topic, data));
      skimmable.put(id, known);
    }
    return known;
  }

  private Route wholeOrNull(AvroSerde<RouteEntry> s, String topic, byte[] data, String id) {
    try {
      // the table's index already holds the skimmed id: the route takes that instance
      return AvroMapping.toRoute(s.deserialize(topic, data), shared, id);
    } catch (RuntimeException e) {
      // the table tells the keeper, once, which logs and counts it
      LOG.debug("Route {} of {} cannot be decoded: {}", id, workload, e.toString());
      return null;
    }
  }
}
