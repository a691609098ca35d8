package io.sidetrack.edge.dispatch;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A circuit breaker per router address: after {@code failures} consecutive failures the router is
 * skipped (requests go straight to their fallback) for {@code openFor}; then one request probes it.
 * Keeps a dead router from costing every request a connect timeout.
 */
public final class RouterBreaker {
  private final int failures;
  private final long openForNanos;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

  public RouterBreaker(int failures, Duration openFor) {
    this(failures, openFor, System::nanoTime);
  }

  public RouterBreaker(int failures, Duration openFor, LongSupplier clock) {
    this.failures = failures;
    this.openForNanos = openFor.toNanos();
    this.clock = clock;
  }

  private static final class State {
    final AtomicInteger consecutiveFailures = new AtomicInteger();
    final AtomicLong openUntil = new AtomicLong(Long.MIN_VALUE);
  }

  /** Whether a request may try {@code router} now. */
  public boolean allows(String router) {
    State s = states.get(router);
    if (s == null || s.consecutiveFailures.get() < failures) {
      return true;
    }
    long now = clock.getAsLong();
    long until = s.openUntil.get();
    // once the open period is over, one request (the one that wins this swap) probes the router
    return now - until >= 0 && s.openUntil.compareAndSet(until, now + openForNanos);
  }

  /** Whether {@code router}'s circuit is open. */
  public boolean isOpen(String router) {
    State s = states.get(router);
    return s != null && s.consecutiveFailures.get() >= failures;
  }

  public void succeeded(String router) {
    State s = states.get(router);
    // read first: a write on every success would bounce the line between event loops
    if (s != null && s.consecutiveFailures.get() != 0) {
      s.consecutiveFailures.set(0);
    }
  }

  public void failed(String router) {
    State s = states.computeIfAbsent(router, r -> new State());
    if (s.consecutiveFailures.incrementAndGet() == failures) {
      s.openUntil.set(clock.getAsLong() + openForNanos);
    }
  }
}
