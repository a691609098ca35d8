package io.sidetrack.router.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ActivationTest {
  @Test
  void anAcceptedInterceptIsNotActiveWithNoLiveAgent() {
    assertThat(new Activation.Progress(true, 0, 0).active()).isFalse();
  }
}
