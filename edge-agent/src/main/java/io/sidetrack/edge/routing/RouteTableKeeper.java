package io.sidetrack.edge.routing;

import io.micrometer.core.instrument.Counter;
import io.sidetrack.core.RouteKeys;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteTable;
import io.sidetrack.core.routing.RouteTableBuilder;
import io.sidetrack.feed.FeedRecord;
import io.sidetrack.feed.RecordHandler;
import io.sidetrack.feed.SkippedRecord;
import io.sidetrack.schemas.RouteEntrySkim;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds the workload's route records into the table routing reads. While its partition is read to
 * the end (at start, or after the workload moved to another partition) the records only fill a map,
 * compiled in one pass once caught up: the table in use stays until then. After that each record
 * changes the table and a poll's changes are published together. A route no trusted router signed
 * is refused: not applied (what was there for its id stays), counted and logged by {@link
 * RouteRefusals}; the routes of a first read go into the table unchecked and {@link RouteTrust}
 * checks them before use. Runs on the reader's thread; {@link #current()}, {@link #partition()},
 * {@link #appliedOffset()} and {@link #firstRead()} are read by others.
 */
final class RouteTableKeeper implements RecordHandler<String, CheckedRoute> {
  private static final Logger LOG = LoggerFactory.getLogger(RouteTableKeeper.class);

  private final String workload;
  private final Counter changes;
  private final Counter undecodable;
  private final Counter rejected;
  private final RouteTrust trust;
  private final FirstReadHeap heap = FirstReadHeap.of();

  /** Skimmed routes found broken since the reader last logged them. */
  private final ConcurrentLinkedQueue<String> broken = new ConcurrentLinkedQueue<>();

  private final AtomicReference<RouteTable> table = new AtomicReference<>(RouteTable.empty());
  private volatile int partition = -1;
  private volatile long appliedOffset;

  /** Whether a partition is being read to its end for the first time (before it, too). */
  private volatile boolean firstRead = true;

  // the reader thread's own
  private TopicPartition reading;
  private RouteTable next = RouteTable.empty();
  private RouteTableBuilder loading;
  private long loadStartedNanos;
  private long loadStartedUptime;
  private int deferred;

  RouteTableKeeper(
      String workload, Counter changes, Counter undecodable, Counter rejected, RouteTrust trust) {
    this.workload = workload;
    this.trust = trust;
    this.changes = changes;
    this.undecodable = undecodable;
    this.rejected = rejected;
  }

  RouteTable current() {
    return table.get();
  }

  boolean trusted(Route route) {
    return trust.allows(route);
  }

  int partition() {
    return partition;
  }

  long appliedOffset() {
    return appliedOffset;
  }

  /**
   * Whether the records decoded now are of a partition's first read to its end, whose routes may go
   * into the table with their signatures not checked yet ({@link RouteTrust} checks them before
   * use).
   */
  boolean firstRead() {
    return firstRead;
  }

  @Override
  public void assigned(Set<TopicPartition> added, Set<TopicPartition> removed) {
    if (added.isEmpty()) {
      return;
    }
    reading = added.iterator().next();
    if (!removed.isEmpty()) {
      LOG.info(
          "Routes of {} now live in partition {} (was {}): reading it to its end; routing stays"
              + " on the current table until then",
          workload,
          reading.partition(),
          partition);
    }
    // nothing of the new partition is applied yet: heartbeats say so
    appliedOffset = 0;
    partition = reading.partition();
    loading = RouteTable.builder(1024).whenBroken(this::broken);
    heap.widen();
    deferred = 0;
    firstRead = true;
    loadStartedNanos = System.nanoTime();
    loadStartedUptime = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
  }

  @Override
  public void apply(FeedRecord<String, CheckedRoute> r) {
    String id = RouteKeys.idOf(r.key());
    CheckedRoute checked = r.value();
    if (checked != null && checked.isDeferred()) {
      if (loading != null) {
        // indexed now by what its skim read; decoded whole when first needed
        RouteEntrySkim.Skimmed s = checked.skimmed();
        loading.putDeferred(s.interceptId(), s.createdAt(), s.match(), checked.whole());
        deferred++;
        return;
      }
      // skimmed for a first read that has ended since (the next records are decoded while the
      // last ones of the first read are applied): decoded now, and checked as any change is
      checked = checked.decodedAndChecked();
      if (checked == null) {
        undecodable.increment();
        LOG.warn("Route {} of {} cannot be decoded: skipped", id, workload);
        return;
      }
    }
    Route route = checked == null ? null : checked.route();
    if (route == null) {
      // a tombstone is always taken: it can only send requests back where they would go anyway
      trust.forget(id);
    } else if ((loading == null || checked.isChecked())
        && !trust.record(route, checked.verification())) {
      // refused (counted and logged): not applied, what was there for its id stays
      return;
    }
    if (loading != null) {
      // compiled now, while the decode threads decode the next records; a route the table cannot
      // take throws, and the reader skips it
      if (route == null) {
        loading.remove(id);
      } else {
        loading.put(route);
      }
      return;
    }
    // a route the table cannot take (a regex it cannot compile) throws: the reader skips it
    next = route == null ? next.without(id) : next.with(route);
    changes.increment();
    LOG.debug(
        "Route {} {} (offset {})", r.key(), route == null ? "withdrawn" : "applied", r.offset());
  }

  /**
   * A route of a first read, skimmed, that could not be decoded when first needed (or decoded to
   * another route than its skim read): it takes no request. Told once per route, on the thread that
   * needed it, perhaps an event loop.
   */
  private void broken(String interceptId) {
    undecodable.increment();
    // logged on the reader's thread (afterBatch): a log line is a write, not for an event loop
    broken.add(interceptId);
  }

  @Override
  public void caughtUp(Map<TopicPartition, Long> applied) {
    if (loading == null) {
      return;
    }
    long read = System.nanoTime();
    List<Route> unchecked = loading.routes();
    RouteTable loaded = loading.build();
    loading = null;
    heap.restore();
    next = loaded;
    table.set(loaded);
    firstRead = false;
    trust.checkInBackground(
        unchecked, route -> current().route(route.interceptId()).orElse(null) == route);
    appliedOffset = applied.getOrDefault(reading, 0L);
    LOG.info(
        "Routes of {} loaded: {} routes from partition {} up to offset {} (reading began {} ms"
            + " after JVM start; read in {} ms, {} records skimmed, their routes decoded when first"
            + " needed; indexed in {} ms)",
        workload,
        loaded.size(),
        reading.partition(),
        appliedOffset,
        loadStartedUptime,
        (read - loadStartedNanos) / 1_000_000,
        deferred,
        (System.nanoTime() - read) / 1_000_000);
  }

  @Override
  public void afterBatch(Map<TopicPartition, Long> applied) {
    for (String id = broken.poll(); id != null; id = broken.poll()) {
      LOG.warn(
          "Route {} of {} cannot be decoded (or is not what its first read indexed): it takes no"
              + " request",
          id,
          workload);
    }
    if (loading != null) {
      return;
    }
    // a route of a first read found untrusted since (by a request or the background check) is
    // taken out, unless a newer route of its id replaced it
    trust.drainRefused(
        refused -> {
          String id = refused.interceptId();
          if (next.route(id).orElse(null) == refused) {
            next = next.without(id);
            LOG.info("Route {} of {} refused: taken out of the table", id, workload);
          }
        });
    if (next != table.get()) {
      table.set(next);
    }
    Long at = applied.get(reading);
    if (at != null) {
      appliedOffset = at;
    }
  }

  @Override
  public void skipped(SkippedRecord record) {
    (record.stage() == SkippedRecord.Stage.APPLY ? rejected : undecodable).increment();
  }
}
