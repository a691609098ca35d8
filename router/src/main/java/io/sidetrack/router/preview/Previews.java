package io.sidetrack.router.preview;

import static java.util.Objects.requireNonNull;

import io.sidetrack.tunnel.PreviewAccess;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The previews this router serves, by code and by intercept: one code per intercept, kept while the
 * intercept lives (across reconnects of its tunnel), and a bounded memory of the codes that ended,
 * so that their hosts can say so. Safe on any thread.
 */
public final class Previews {
  private static final Logger LOG = LoggerFactory.getLogger(Previews.class);

  /** Ended codes remembered; an older one reads as unknown. */
  static final int MAX_ENDED = 10_000;

  /** What a code names. */
  public sealed interface Lookup {}

  /** A live preview. */
  public record Live(Preview preview) implements Lookup {}

  /** A preview whose intercept ended. */
  public record Ended() implements Lookup {}

  /** No preview this router remembers. */
  public record Unknown() implements Lookup {}

  private final PreviewCodes codes;
  private final LongSupplier nanoClock;
  private final Map<String, Preview> byCode = new ConcurrentHashMap<>();
  private final Map<String, Preview> byIntercept = new ConcurrentHashMap<>();

  /** Intercept id → when its preview ends unless a tunnel claims the intercept again. */
  private final Map<String, Long> detached = new ConcurrentHashMap<>();

  private final Map<String, Boolean> ended =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > MAX_ENDED;
        }
      };

  public Previews(PreviewCodes codes, LongSupplier nanoClock) {
    this.codes = requireNonNull(codes, "codes");
    this.nanoClock = requireNonNull(nanoClock, "nanoClock");
  }

  public Previews() {
    this(new PreviewCodes(), System::nanoTime);
  }

  /**
   * The preview of an intercept, opened the first time (a new code) and the same one afterwards,
   * with {@code access} as last asked; a detached preview is attached again.
   */
  public synchronized Preview open(
      String interceptId,
      String owner,
      String workload,
      PreviewUpstream upstream,
      String headerName,
      String headerValue,
      PreviewAccess access) {
    detached.remove(interceptId);
    Preview existing = byIntercept.get(interceptId);
    if (existing != null
        && existing.owner().equals(owner)
        && existing.workload().equals(workload)
        && existing.upstream().equals(upstream)
        && existing.headerName().equals(headerName)
        && existing.headerValue().equals(headerValue)) {
      existing.access(access);
      return existing;
    }
    if (existing != null) {
      end(interceptId); // the intercept now takes other requests: its old link must not lead there
    }
    String code;
    do {
      code = codes.newCode();
    } while (byCode.containsKey(code) || isEnded(code));
    Preview preview =
        new Preview(code, interceptId, owner, workload, upstream, headerName, headerValue, access);
    byCode.put(code, preview);
    byIntercept.put(interceptId, preview);
    LOG.info("Preview of intercept {} on {} opened ({} access)", interceptId, workload, access);
    LOG.debug("Preview of intercept {} has code {}", interceptId, code);
    return preview;
  }

  /**
   * The intercept ended (left, removed, expired, rejected): its preview's host says so from now.
   */
  public synchronized void end(String interceptId) {
    detached.remove(interceptId);
    Preview preview = byIntercept.remove(interceptId);
    if (preview != null) {
      byCode.remove(preview.code());
      ended.put(preview.code(), Boolean.TRUE);
      LOG.info("Preview of intercept {} ended", interceptId);
    }
  }

  /**
   * No tunnel holds the intercept any more: its preview ends after {@code grace} (the lease) unless
   * a tunnel opens it again first.
   */
  public void detach(String interceptId, Duration grace) {
    if (byIntercept.containsKey(interceptId)) {
      detached.put(interceptId, nanoClock.getAsLong() + grace.toNanos());
    }
  }

  /** Ends the detached previews whose grace ran out; called now and then. */
  public void sweep() {
    long now = nanoClock.getAsLong();
    detached.forEach(
        (id, deadline) -> {
          if (now - deadline >= 0) {
            endIfStillDetached(id, deadline);
          }
        });
  }

  private synchronized void endIfStillDetached(String interceptId, long deadline) {
    Long current = detached.get(interceptId);
    if (current != null && current == deadline) {
      end(interceptId);
    }
  }

  /** What {@code code} names. */
  public Lookup lookup(String code) {
    Preview live = code == null ? null : byCode.get(code);
    if (live != null) {
      return new Live(live);
    }
    return code != null && isEnded(code) ? new Ended() : new Unknown();
  }

  /** How many previews are live. */
  public int live() {
    return byCode.size();
  }

  private synchronized boolean isEnded(String code) {
    return ended.containsKey(code);
  }
}
