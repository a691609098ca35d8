package io.sidetrack.edge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RouterBreakerTest {
  private final AtomicLong now = new AtomicLong();
  private final RouterBreaker breaker = new RouterBreaker(3, Duration.ofSeconds(5), now::get);

  @Test
  void opensAfterConsecutiveFailuresAndLetsOneProbeThroughLater() {
    breaker.failed("r:1");
    breaker.failed("r:1");
    assertThat(breaker.allows("r:1")).isTrue();
    breaker.failed("r:1");
    assertThat(breaker.allows("r:1")).isFalse();
    assertThat(breaker.allows("other:1")).isTrue();

    now.addAndGet(Duration.ofSeconds(5).toNanos());
    assertThat(breaker.allows("r:1")).as("the probe").isTrue();
    assertThat(breaker.allows("r:1")).as("others wait for the probe").isFalse();

    breaker.succeeded("r:1");
    assertThat(breaker.allows("r:1")).isTrue();
    assertThat(breaker.isOpen("r:1")).isFalse();
  }

  @Test
  void successResetsTheCount() {
    breaker.failed("r:1");
    breaker.failed("r:1");
    breaker.succeeded("r:1");
    breaker.failed("r:1");
    breaker.failed("r:1");
    assertThat(breaker.allows("r:1")).isTrue();
  }
}
