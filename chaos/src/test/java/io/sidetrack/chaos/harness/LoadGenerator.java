package io.sidetrack.chaos.harness;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Requests at a fixed rate to the workload's front, checking where each answer came from. Every
 * other request carries {@code x-sidetrack-id} with one of the values meant to be intercepted (in
 * turn); the rest carry none or a value nobody intercepts. The cluster's app answers {@code
 * cluster}, a developer's laptop app {@code laptop:<identity>}, so an answer is sorted as:
 *
 * <ul>
 *   <li>to its laptop: an intercepted value answered by that developer's app;
 *   <li>fell back: an intercepted value answered by the cluster (fail-open, or before the route is
 *       in place);
 *   <li>cluster: no intercepted value, answered by the cluster (right);
 *   <li>wrong: anything else (a request at someone else's laptop);
 *   <li>failed: no answer within the timeout, a connection error, or a status other than 200.
 * </ul>
 *
 * <p>Latency runs from when a request was due, not when it was sent, so a stall of the generator or
 * of the system counts against it (no coordinated omission).
 */
public final class LoadGenerator implements AutoCloseable {
  public static final String HEADER = "x-sidetrack-id";
  public static final String NOBODY = "nobody";
  static final long TIMEOUT_MS = 10_000;

  private final Vertx vertx;
  private final HttpClient client;
  private final String host;
  private final int port;
  private final int rate;
  private final Supplier<List<String>> intercepted;
  private final Map<String, Tally> tallies = new ConcurrentHashMap<>();
  private final Recorder recorder = new Recorder(TimeUnit.MINUTES.toMicros(1), 3);
  private final Histogram total = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
  private final List<String> failureSamples = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong inFlight = new AtomicLong();
  private long timer = -1;
  private long startNanos;
  private long issued;

  /**
   * @param rate requests per second
   * @param intercepted the identities whose intercepts are meant to be active now (read per
   *     request)
   */
  public LoadGenerator(
      Vertx vertx, String host, int port, int rate, Supplier<List<String>> intercepted) {
    this.vertx = requireNonNull(vertx, "vertx");
    this.host = requireNonNull(host, "host");
    this.port = port;
    this.rate = rate;
    this.intercepted = requireNonNull(intercepted, "intercepted");
    // connections live 2 s, so the round-robin front spreads them over every agent
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setTcpNoDelay(true).setKeepAliveTimeout(5),
            new PoolOptions()
                .setHttp1MaxSize(256)
                .setMaxWaitQueueSize(-1)
                .setMaxLifetime(2)
                .setMaxLifetimeUnit(TimeUnit.SECONDS));
  }

  public int rate() {
    return rate;
  }

  public synchronized void start() {
    if (timer >= 0) {
      return;
    }
    startNanos = System.nanoTime();
    issued = 0;
    timer = vertx.setPeriodic(5, id -> tick());
  }

  /** Stops issuing requests and waits (up to the request timeout) for those under way. */
  public void stop() {
    synchronized (this) {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
    long deadline = System.currentTimeMillis() + TIMEOUT_MS + 2_000;
    while (inFlight.get() > 0 && System.currentTimeMillis() < deadline) {
      sleep(50);
    }
  }

  private synchronized void tick() {
    if (timer < 0) {
      return;
    }
    long now = System.nanoTime();
    long due = (now - startNanos) * rate / 1_000_000_000L;
    long periodNanos = 1_000_000_000L / rate;
    while (issued < due) {
      long intended = startNanos + issued * periodNanos;
      send(issued, intended);
      issued++;
    }
  }

  private void send(long n, long intendedNanos) {
    String value;
    if (n % 2 == 1) {
      List<String> values = intercepted.get();
      value = values.isEmpty() ? null : values.get((int) ((n / 2) % values.size()));
    } else {
      value = n % 4 == 0 ? null : NOBODY;
    }
    String key = value == null ? "-" : value;
    Tally tally = tallies.computeIfAbsent(key, k -> new Tally());
    tally.sent.increment();
    inFlight.incrementAndGet();
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(host)
            .setPort(port)
            .setURI("/r/" + n)
            .setConnectTimeout(TIMEOUT_MS)
            .setIdleTimeout(TIMEOUT_MS);
    if (value != null) {
      options.putHeader(HEADER, value);
    }
    client
        .request(options)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> resp.statusCode() + " " + body))
        .onComplete(
            ar -> {
              inFlight.decrementAndGet();
              long micros = Math.max(0, (System.nanoTime() - intendedNanos) / 1_000);
              recorder.recordValue(Math.min(micros, TimeUnit.MINUTES.toMicros(1)));
              if (ar.failed()) {
                tally.failed.increment();
                sample(key + ": " + ar.cause());
                return;
              }
              String answer = ar.result();
              if (!answer.startsWith("200 ")) {
                tally.failed.increment();
                sample(key + ": " + answer);
                return;
              }
              String body = answer.substring(4);
              boolean isIntercepted = value != null && !NOBODY.equals(value);
              if (isIntercepted && body.equals("laptop:" + value)) {
                tally.toLaptop.increment();
              } else if (body.equals("cluster")) {
                (isIntercepted ? tally.fellBack : tally.cluster).increment();
              } else {
                tally.wrong.increment();
                sample(key + " answered by " + body);
              }
            });
  }

  private void sample(String failure) {
    if (failureSamples.size() < 40) {
      failureSamples.add(java.time.Instant.now() + " " + failure);
    }
  }

  /** What happened so far, and resets nothing. */
  public synchronized Snapshot snapshot() {
    total.add(recorder.getIntervalHistogram());
    Map<String, Counts> byTarget = new TreeMap<>();
    tallies.forEach((k, t) -> byTarget.put(k, t.counts()));
    return new Snapshot(byTarget, total.copy(), List.copyOf(failureSamples));
  }

  @Override
  public void close() {
    stop();
    client.close();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class Tally {
    final LongAdder sent = new LongAdder();
    final LongAdder toLaptop = new LongAdder();
    final LongAdder fellBack = new LongAdder();
    final LongAdder cluster = new LongAdder();
    final LongAdder wrong = new LongAdder();
    final LongAdder failed = new LongAdder();

    Counts counts() {
      return new Counts(
          sent.sum(), toLaptop.sum(), fellBack.sum(), cluster.sum(), wrong.sum(), failed.sum());
    }
  }

  /** Requests of one target (a header value, {@code -} for none) by outcome. */
  public record Counts(
      long sent, long toLaptop, long fellBack, long cluster, long wrong, long failed) {
    public static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0);

    public Counts plus(Counts o) {
      return new Counts(
          sent + o.sent,
          toLaptop + o.toLaptop,
          fellBack + o.fellBack,
          cluster + o.cluster,
          wrong + o.wrong,
          failed + o.failed);
    }

    public Counts minus(Counts o) {
      return new Counts(
          sent - o.sent,
          toLaptop - o.toLaptop,
          fellBack - o.fellBack,
          cluster - o.cluster,
          wrong - o.wrong,
          failed - o.failed);
    }
  }

  /** Counts per target and the latency histogram (microseconds) since the start. */
  public record Snapshot(Map<String, Counts> byTarget, Histogram latency, List<String> failures) {
    public Counts total() {
      return byTarget.values().stream().reduce(Counts.ZERO, Counts::plus);
    }

    public Counts of(String target) {
      return byTarget.getOrDefault(target, Counts.ZERO);
    }

    /** The totals of every target except {@code excluded}. */
    public Counts totalExcept(java.util.Set<String> excluded) {
      return byTarget.entrySet().stream()
          .filter(e -> !excluded.contains(e.getKey()))
          .map(Map.Entry::getValue)
          .reduce(Counts.ZERO, Counts::plus);
    }
  }
}
