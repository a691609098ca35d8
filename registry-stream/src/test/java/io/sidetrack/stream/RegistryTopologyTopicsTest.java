package io.sidetrack.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.schemas.avro.AuditEvent;
import io.sidetrack.schemas.avro.AuditKind;
import io.sidetrack.schemas.avro.RouteEntry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Registrations with topics through the topology: validated (Kafka's topic name rules, a one-line
 * reason in the audit event), decided against the workload's other intercepts by the one conflict
 * policy, published with their topics in the route entry and named in the audit events.
 */
@Timeout(60)
class RegistryTopologyTopicsTest extends TopologyFixture {

  @Test
  void topicsReachTheRouteEntryAndTheAuditEvent() {
    register(
        intercept("i-1", "alice", MatchRules.personal("alice"))
            .withTopics(List.of("orders.created", "payments")));

    RouteEntry route = routes.readValue();
    assertThat(route.getTopics()).containsExactly("orders.created", "payments");
    AuditEvent event = audit.readValue();
    assertThat(event.getKind()).isEqualTo(AuditKind.CREATED);
    assertThat(event.getAfter().getTopics()).containsExactly("orders.created", "payments");
  }

  @Test
  void anIllegalTopicNameIsRejectedWithKafkasRuleAsTheReason() {
    register(
        intercept("i-1", "alice", MatchRules.personal("alice"))
            .withTopics(List.of("orders created")));

    assertThat(routes.isEmpty()).isTrue();
    AuditEvent event = audit.readValue();
    assertThat(event.getKind()).isEqualTo(AuditKind.REJECTED);
    assertThat(event.getReason())
        .isEqualTo(
            "invalid topic name 'orders created': Kafka allows only ASCII letters, digits, '.',"
                + " '_' and '-'");
    assertThat(event.getAfter().getTopics()).containsExactly("orders created");
  }

  @Test
  void theSameRulesOnATopicConflictAsOverHttp() {
    register(
        intercept("i-1", "alice", MatchRules.header("x-sidetrack-id", "v"))
            .withTopics(List.of("orders.created")));
    routes.readValue();
    audit.readValue();

    register(
        intercept("i-2", "bob", MatchRules.header("x-sidetrack-id", "v"))
            .withTopics(List.of("orders.created")));

    assertThat(routes.isEmpty()).isTrue();
    AuditEvent event = audit.readValue();
    assertThat(event.getKind()).isEqualTo(AuditKind.REJECTED);
    assertThat(event.getReason()).startsWith("conflicts with intercept i-1 of alice");
  }

  @Test
  void addingATopicUpdatesTheRouteAndTheAuditShowsBeforeAndAfter() {
    Intercept http = intercept("i-1", "alice", MatchRules.personal("alice"));
    register(http);
    assertThat(routes.readValue().getTopics()).isEmpty();
    audit.readValue();

    register(http.withTopics(List.of("orders.created")));

    assertThat(routes.readValue().getTopics()).containsExactly("orders.created");
    AuditEvent event = audit.readValue();
    assertThat(event.getKind()).isEqualTo(AuditKind.UPDATED);
    assertThat(event.getBefore().getTopics()).isEmpty();
    assertThat(event.getAfter().getTopics()).containsExactly("orders.created");
  }
}
