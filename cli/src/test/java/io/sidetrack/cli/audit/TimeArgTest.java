package io.sidetrack.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class TimeArgTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  @Test
  void acceptsIsoInstantsOffsetsLocalTimesAndTimesAgo() {
    assertThat(TimeArg.parse("--at", "2026-11-25T10:00:00Z", NOW))
        .isEqualTo(Instant.parse("2026-11-25T10:00:00Z"));
    assertThat(TimeArg.parse("--at", "2026-11-25T11:00:00+01:00", NOW))
        .isEqualTo(Instant.parse("2026-11-25T10:00:00Z"));
    assertThat(TimeArg.parse("--at", "2026-11-25T10:00", NOW))
        .isEqualTo(
            LocalDateTime.parse("2026-11-25T10:00").atZone(ZoneId.systemDefault()).toInstant());
    assertThat(TimeArg.parse("--at", "2h", NOW)).isEqualTo(Instant.parse("2026-11-25T10:00:00Z"));
    assertThat(TimeArg.parse("--at", "now", NOW)).isEqualTo(NOW);
  }

  @Test
  void refusesGibberishAndTheFutureNamingTheFlag() {
    assertThatThrownBy(() -> TimeArg.parse("--since", "last tuesday", NOW))
        .hasMessageStartingWith("invalid --since 'last tuesday': use ISO-8601");
    assertThatThrownBy(() -> TimeArg.parsePast("--at", "2026-11-26T00:00:00Z", NOW))
        .hasMessage("invalid --at '2026-11-26T00:00:00Z': 2026-11-26T00:00:00Z is in the future");
  }
}
