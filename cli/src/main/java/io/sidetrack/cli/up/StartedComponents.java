package io.sidetrack.cli.up;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts {@code sidetrack up} started, stopped in reverse order of start. Started by {@code
 * main} and stopped by the shutdown hook, possibly at the same time, so it is thread-safe and knows
 * when stopping began: a part whose start finishes after that (an Apicurio child process still
 * coming up when Ctrl-C arrived) is stopped at once instead of being left running, and {@link
 * #close()} waits a while for a start under way before it returns (after which the JVM exits and an
 * unstopped child would be orphaned).
 */
final class StartedComponents implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StartedComponents.class);

  /** How long {@link #close()} waits for a part still starting. */
  static final Duration START_WAIT = Duration.ofSeconds(30);

  /** Starts one part. */
  interface Starter<T> {
    T start() throws Exception;
  }

  private final Deque<AutoCloseable> running = new ArrayDeque<>();
  private final Duration startWait;
  private boolean closing;
  private boolean closed;
  private int starting;

  StartedComponents() {
    this(START_WAIT);
  }

  /** With another wait for a part still starting when {@link #close()} is called. */
  StartedComponents(Duration startWait) {
    this.startWait = requireNonNull(startWait, "startWait");
  }

  /**
   * Starts a part and keeps it to stop later.
   *
   * @throws IllegalStateException when stopping began first (the part is not started), or ended
   *     while the part was starting (it is stopped at once)
   */
  <T extends AutoCloseable> T start(Starter<T> starter) throws Exception {
    requireNonNull(starter, "starter");
    synchronized (this) {
      if (closing) {
        throw stopping();
      }
      starting++;
    }
    T started;
    try {
      started = requireNonNull(starter.start(), "started");
    } catch (Throwable t) {
      synchronized (this) {
        starting--;
        notifyAll();
      }
      throw t;
    }
    boolean tooLate;
    synchronized (this) {
      starting--;
      // while close() runs it stops what is pushed here; once it has returned, nobody would
      tooLate = closed;
      if (!tooLate) {
        running.push(started);
      }
      notifyAll();
    }
    if (tooLate) {
      closeQuietly(started);
      throw stopping();
    }
    return started;
  }

  /**
   * Stops every part started, newest first, then waits (a while) for parts still starting and stops
   * them too.
   */
  @Override
  public void close() {
    synchronized (this) {
      closing = true;
    }
    closeRunning(false);
    awaitStarts();
    closeRunning(true);
  }

  private void closeRunning(boolean last) {
    while (true) {
      AutoCloseable next;
      synchronized (this) {
        next = running.poll();
        if (next == null && last) {
          closed = true;
        }
      }
      if (next == null) {
        return;
      }
      closeQuietly(next);
    }
  }

  private synchronized void awaitStarts() {
    long deadline = System.nanoTime() + startWait.toNanos();
    while (starting > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        LOG.warn("stopping without waiting longer for a part still starting after {}", startWait);
        return;
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static IllegalStateException stopping() {
    return new IllegalStateException("sidetrack up is stopping");
  }

  private static void closeQuietly(AutoCloseable part) {
    try {
      part.close();
    } catch (Exception e) {
      LOG.warn("stopping {} failed: {}", part, e.toString());
    }
  }
}
