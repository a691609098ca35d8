package io.sidetrack.cli.admin.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class AclPlanTest {
  static final List<ComponentAcls> PLAN =
      AclPlan.of("", "sidetrack-registry-stream", Principals.defaults());

  static Set<String> principalsAllowed(
      List<ComponentAcls> plan, ResourceType type, String name, AclOperation op) {
    return AclPlan.bindings(plan).stream()
        .filter(b -> b.pattern().resourceType() == type && b.pattern().name().equals(name))
        .filter(b -> b.entry().operation() == op)
        .map(b -> b.entry().principal())
        .collect(Collectors.toSet());
  }

  static List<AclBinding> of(Component c) {
    return PLAN.stream().filter(a -> a.component() == c).findFirst().orElseThrow().bindings();
  }

  @Test
  void onlyRoutersAndTheAdminWriteRegistrations() {
    assertThat(
            principalsAllowed(PLAN, ResourceType.TOPIC, "sidetrack.intercepts", AclOperation.WRITE))
        .containsExactlyInAnyOrder("User:sidetrack-router", "User:sidetrack-admin");
  }

  @Test
  void onlyRegistryStreamWritesRoutesAndAudit() {
    assertThat(principalsAllowed(PLAN, ResourceType.TOPIC, "sidetrack.routes", AclOperation.WRITE))
        .containsExactly("User:sidetrack-registry-stream");
    assertThat(principalsAllowed(PLAN, ResourceType.TOPIC, "sidetrack.audit", AclOperation.WRITE))
        .containsExactly("User:sidetrack-registry-stream");
  }

  @Test
  void anAgentReadsRoutesAndWritesOnlyHeartbeats() {
    assertThat(of(Component.EDGE_AGENT))
        .extracting(b -> b.entry().operation() + " " + b.pattern().name())
        .containsExactlyInAnyOrder(
            "READ sidetrack.routes", "WRITE sidetrack.agents", "IDEMPOTENT_WRITE kafka-cluster");
  }

  @Test
  void auditReadersOnlyRead() {
    assertThat(of(Component.AUDIT_READER))
        .extracting(b -> b.entry().operation())
        .containsOnly(AclOperation.READ);
  }

  @Test
  void registryStreamOwnsItsGroupInternalTopicsAndTransactionalIds() {
    List<ComponentAcls> plan = AclPlan.of("", "my-app", Principals.defaults());
    String me = "User:sidetrack-registry-stream";
    assertThat(principalsAllowed(plan, ResourceType.GROUP, "my-app", AclOperation.READ))
        .containsExactly(me);
    assertThat(
            principalsAllowed(plan, ResourceType.TRANSACTIONAL_ID, "my-app-", AclOperation.WRITE))
        .containsExactly(me);
    assertThat(principalsAllowed(plan, ResourceType.TOPIC, "my-app-", AclOperation.CREATE))
        .containsExactly(me);
    assertThat(AclPlan.bindings(plan))
        .filteredOn(b -> b.pattern().name().startsWith("my-app"))
        .allMatch(b -> b.entry().principal().equals(me))
        .filteredOn(b -> b.pattern().resourceType() != ResourceType.GROUP)
        .allMatch(b -> b.pattern().patternType() == PatternType.PREFIXED);
  }

  @Test
  void theTopicPrefixIsInFrontOfEveryTopicOfEveryComponent() {
    List<ComponentAcls> plan = AclPlan.of("team1.", "app", Principals.defaults());
    assertThat(AclPlan.bindings(plan))
        .filteredOn(b -> b.pattern().resourceType() == ResourceType.TOPIC)
        .filteredOn(b -> !b.pattern().name().startsWith("app-"))
        .isNotEmpty()
        .allMatch(b -> b.pattern().name().startsWith("team1.sidetrack."));
    assertThat(principalsAllowed(plan, ResourceType.TOPIC, "team1.sidetrack.", AclOperation.CREATE))
        .containsExactly("User:sidetrack-admin");
  }

  @Test
  void principalsCanBeRenamedPerComponent() {
    Principals p = Principals.parse(List.of("router=User:CN=router.example"));
    assertThat(p.of(Component.ROUTER)).isEqualTo("User:CN=router.example");
    assertThat(p.userOf(Component.ROUTER)).isEqualTo("CN=router.example");
    assertThat(p.of(Component.EDGE_AGENT)).isEqualTo("User:sidetrack-agent");
    assertThat(
            principalsAllowed(
                AclPlan.of("", "a", p),
                ResourceType.TOPIC,
                "sidetrack.intercepts",
                AclOperation.WRITE))
        .contains("User:CN=router.example")
        .doesNotContain("User:sidetrack-router");
  }

  @Test
  void aBadPrincipalOverrideNamesItself() {
    assertThatThrownBy(() -> Principals.parse(List.of("proxy=User:x")))
        .hasMessage(
            "unknown component 'proxy' (one of router, registry-stream, agent, audit, admin)");
    assertThatThrownBy(() -> Principals.parse(List.of("router")))
        .hasMessage("invalid --principal 'router' (COMPONENT=User:NAME)");
    assertThatThrownBy(() -> Principals.parse(List.of("router=nocolon")))
        .hasMessageContaining("invalid principal 'nocolon'");
  }

  @Test
  void kafkaAclsLinesSpellOperationsAndPatternsAsTheToolDoes() {
    AclBinding txn =
        of(Component.REGISTRY_STREAM).stream()
            .filter(b -> b.pattern().resourceType() == ResourceType.TRANSACTIONAL_ID)
            .findFirst()
            .orElseThrow();
    assertThat(AclPlan.kafkaAclsLine(txn))
        .endsWith(
            "--add --allow-principal 'User:sidetrack-registry-stream' --operation Write"
                + " --transactional-id 'sidetrack-registry-stream-' --resource-pattern-type prefixed");
    AclBinding idem =
        of(Component.EDGE_AGENT).stream()
            .filter(b -> b.pattern().resourceType() == ResourceType.CLUSTER)
            .findFirst()
            .orElseThrow();
    assertThat(AclPlan.kafkaAclsLine(idem)).endsWith("--operation IdempotentWrite --cluster");
  }
}
