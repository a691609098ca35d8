package io.sidetrack.testkit;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one try of a property on another thread and fails it if it does not return in time: jqwik
 * has no timeout of its own, and a decoder that loops forever on some input must fail with that
 * input rather than hang the build.
 */
public final class Bounded {
  /** Generous: a try takes microseconds, but the build machine may be busy. */
  public static final Duration LIMIT = Duration.ofSeconds(10);

  private static final ExecutorService RUNNER =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "bounded-try");
            t.setDaemon(true);
            return t;
          });

  private Bounded() {}

  /** What {@code action} returns or throws, or an {@link AssertionError} after {@link #LIMIT}. */
  public static <T> T call(Callable<T> action) throws Exception {
    Future<T> result = RUNNER.submit(action);
    try {
      return result.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      result.cancel(true);
      throw new AssertionError("no answer within " + LIMIT + ": the input hangs it");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /** Runs {@code action}, failing after {@link #LIMIT}. */
  public static void run(ThrowingRunnable action) throws Exception {
    call(
        () -> {
          action.run();
          return null;
        });
  }

  @FunctionalInterface
  public interface ThrowingRunnable {
    void run() throws Exception;
  }
}
