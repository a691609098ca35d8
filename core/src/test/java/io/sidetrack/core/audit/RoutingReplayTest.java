package io.sidetrack.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingReplayTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  private static Intercept intercept(String id, String workload, String value) {
    return new Intercept(
        id,
        workload,
        "alice",
        MatchRules.header("x-sidetrack-id", value),
        "router:9000",
        T0,
        T0.plusSeconds(60),
        FailureMode.FAIL_OPEN,
        Map.of());
  }

  private static AuditRecord event(AuditRecord.Kind kind, Intercept before, Intercept after) {
    Intercept any = after != null ? after : before;
    return new AuditRecord(T0, kind, any.workload(), any.id(), "alice", null, before, after);
  }

  @Test
  void followsCreateUpdateRejectExpireAndRemove() {
    RoutingReplay replay = new RoutingReplay();
    Intercept a1 = intercept("a", "orders", "1");
    Intercept a2 = intercept("a", "orders", "2");
    Intercept b = intercept("b", "orders", "3");
    Intercept c = intercept("c", "payments", "4");

    replay.apply(event(AuditRecord.Kind.CREATED, null, a1));
    replay.apply(event(AuditRecord.Kind.CREATED, null, b));
    replay.apply(event(AuditRecord.Kind.CREATED, null, c));
    replay.apply(event(AuditRecord.Kind.UPDATED, a1, a2));
    replay.apply(event(AuditRecord.Kind.REJECTED, a2, intercept("a", "orders", "bad")));
    replay.apply(event(AuditRecord.Kind.EXPIRED, b, null));

    assertThat(replay.active()).containsOnlyKeys("orders/a", "payments/c");
    assertThat(replay.active().get("orders/a")).isEqualTo(a2);
    assertThat(replay.routesOf("orders")).extracting(r -> r.interceptId()).containsExactly("a");

    replay.apply(event(AuditRecord.Kind.REMOVED, c, null));
    assertThat(replay.active()).containsOnlyKeys("orders/a");
    assertThat(replay.applied()).isEqualTo(7);
  }

  @Test
  void workloadRoutesDoNotLeakIntoAWorkloadWhoseNameExtendsIt() {
    RoutingReplay replay = new RoutingReplay();
    replay.apply(event(AuditRecord.Kind.CREATED, null, intercept("a", "orders", "1")));
    replay.apply(event(AuditRecord.Kind.CREATED, null, intercept("b", "orders-v2", "2")));
    assertThat(replay.routesOf("orders")).extracting(r -> r.interceptId()).containsExactly("a");
  }
}
