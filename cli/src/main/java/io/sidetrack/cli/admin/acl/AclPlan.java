package io.sidetrack.cli.admin.acl;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least-privilege ACLs of every Sidetrack component, the one place that says who may do what on
 * which topic, group and transactional id. Derived from what the code does:
 *
 * <ul>
 *   <li>router: writes {@code intercepts} (idempotent producer); reads {@code routes}, {@code
 *       agents} and {@code audit} by assigning partitions, so no consumer group.
 *   <li>registry-stream: creates the six topics when missing and checks their cleanup policy
 *       ({@code TopicSetup}); reads {@code intercepts} and {@code intercepts.by-workload}; writes
 *       {@code intercepts.by-workload}, {@code routes}, {@code audit}, {@code intercepts.dlq}; its
 *       consumer group is its {@code application.id}, its internal topics (changelogs) and, under
 *       {@code exactly_once_v2}, its transactional ids start with {@code <application.id>-}.
 *   <li>edge agent: reads its workload's partition of {@code routes} (assigned, no group); writes
 *       {@code agents}.
 *   <li>audit reader ({@code sidetrack audit|replay|explain}): reads {@code audit}, and {@code
 *       routes} for {@code explain} (assigned, no group).
 *   <li>admin: creates and configures the topics, manages ACLs and SCRAM users (cluster {@code
 *       ALTER}/{@code DESCRIBE}), and writes {@code intercepts} for {@code sidetrack
 *       register|unregister}.
 * </ul>
 *
 * <p>Every producer is idempotent: {@code WRITE} on a topic implies {@code IDEMPOTENT_WRITE} since
 * Kafka 2.8 (KIP-679), the cluster ACL is there for older brokers.
 */
public final class AclPlan {
  private AclPlan() {}

  /**
   * The ACLs of every component, in {@link Component} order.
   *
   * @param topicPrefix put in front of every topic name ({@code ""}: none)
   * @param applicationId registry-stream's Kafka Streams {@code application.id}
   * @param principals who each component is
   */
  public static List<ComponentAcls> of(
      String topicPrefix, String applicationId, Principals principals) {
    requireNonNull(topicPrefix, "topicPrefix");
    requireNonNull(applicationId, "applicationId");
    requireNonNull(principals, "principals");
    Topics.Names t = Topics.DEFAULT.withPrefix(topicPrefix);
    List<ComponentAcls> plan = new ArrayList<>();
    for (Component c : Component.values()) {
      Acls acls = new Acls(principals.of(c));
      switch (c) {
        case ROUTER -> {
          acls.topic(t.intercepts(), AclOperation.WRITE);
          acls.topic(t.routes(), AclOperation.READ);
          acls.topic(t.agents(), AclOperation.READ);
          acls.topic(t.audit(), AclOperation.READ);
          acls.cluster(AclOperation.IDEMPOTENT_WRITE);
        }
        case REGISTRY_STREAM -> {
          for (String topic : all(t)) {
            acls.topic(topic, AclOperation.CREATE);
            acls.topic(topic, AclOperation.DESCRIBE_CONFIGS);
          }
          acls.topic(t.intercepts(), AclOperation.READ);
          acls.topic(t.interceptsByWorkload(), AclOperation.READ);
          acls.topic(t.interceptsByWorkload(), AclOperation.WRITE);
          acls.topic(t.routes(), AclOperation.WRITE);
          acls.topic(t.audit(), AclOperation.WRITE);
          acls.topic(t.interceptsDlq(), AclOperation.WRITE);
          String internal = applicationId + "-";
          for (AclOperation op :
              List.of(
                  AclOperation.CREATE,
                  AclOperation.READ,
                  AclOperation.WRITE,
                  AclOperation.DELETE,
                  AclOperation.DESCRIBE_CONFIGS)) {
            acls.add(ResourceType.TOPIC, internal, PatternType.PREFIXED, op);
          }
          acls.add(ResourceType.GROUP, applicationId, PatternType.LITERAL, AclOperation.READ);
          acls.add(
              ResourceType.TRANSACTIONAL_ID, internal, PatternType.PREFIXED, AclOperation.WRITE);
          acls.cluster(AclOperation.IDEMPOTENT_WRITE);
        }
        case EDGE_AGENT -> {
          acls.topic(t.routes(), AclOperation.READ);
          acls.topic(t.agents(), AclOperation.WRITE);
          acls.cluster(AclOperation.IDEMPOTENT_WRITE);
        }
        case AUDIT_READER -> {
          acls.topic(t.audit(), AclOperation.READ);
          acls.topic(t.routes(), AclOperation.READ);
        }
        case ADMIN -> {
          String everyTopic = topicPrefix + "sidetrack.";
          for (AclOperation op :
              List.of(
                  AclOperation.CREATE,
                  AclOperation.DESCRIBE,
                  AclOperation.DESCRIBE_CONFIGS,
                  AclOperation.ALTER_CONFIGS)) {
            acls.add(ResourceType.TOPIC, everyTopic, PatternType.PREFIXED, op);
          }
          acls.topic(t.intercepts(), AclOperation.WRITE);
          acls.cluster(AclOperation.ALTER);
          acls.cluster(AclOperation.DESCRIBE);
          acls.cluster(AclOperation.IDEMPOTENT_WRITE);
        }
      }
      plan.add(new ComponentAcls(c, principals.of(c), acls.bindings));
    }
    return List.copyOf(plan);
  }

  /** Every binding of {@code plan}. */
  public static List<AclBinding> bindings(List<ComponentAcls> plan) {
    return plan.stream().flatMap(c -> c.bindings().stream()).toList();
  }

  /** One line of {@code binding}, as {@code sidetrack acl show} prints it. */
  public static String describe(AclBinding binding) {
    ResourcePattern p = binding.pattern();
    AccessControlEntry e = binding.entry();
    return String.format(
        "%-16s %-16s %-8s %s%s",
        e.operation(),
        p.resourceType(),
        p.patternType(),
        p.name(),
        p.patternType() == PatternType.PREFIXED ? "*" : "");
  }

  /** The {@code kafka-acls.sh} line that adds {@code binding}. */
  public static String kafkaAclsLine(AclBinding binding) {
    ResourcePattern p = binding.pattern();
    String resource =
        switch (p.resourceType()) {
          case TOPIC -> "--topic '" + p.name() + "'";
          case GROUP -> "--group '" + p.name() + "'";
          case TRANSACTIONAL_ID -> "--transactional-id '" + p.name() + "'";
          case CLUSTER -> "--cluster";
          default -> throw new IllegalArgumentException("unexpected resource " + p);
        };
    return "kafka-acls.sh --bootstrap-server \"$BOOTSTRAP\" --command-config admin.properties"
        + " --add --allow-principal '"
        + binding.entry().principal()
        + "' --operation "
        + operationName(binding.entry().operation())
        + " "
        + resource
        + (p.patternType() == PatternType.PREFIXED ? " --resource-pattern-type prefixed" : "");
  }

  private static String operationName(AclOperation op) {
    // kafka-acls.sh spells them in CamelCase: IdempotentWrite, DescribeConfigs
    StringBuilder b = new StringBuilder();
    for (String part : op.name().split("_")) {
      b.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
    }
    return b.toString();
  }

  private static List<String> all(Topics.Names t) {
    return List.of(
        t.intercepts(),
        t.interceptsDlq(),
        t.interceptsByWorkload(),
        t.routes(),
        t.agents(),
        t.audit());
  }

  /** Collects one principal's ACLs. */
  private static final class Acls {
    private final String principal;
    private final List<AclBinding> bindings = new ArrayList<>();

    Acls(String principal) {
      this.principal = principal;
    }

    void topic(String name, AclOperation op) {
      add(ResourceType.TOPIC, name, PatternType.LITERAL, op);
    }

    void cluster(AclOperation op) {
      add(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, op);
    }

    void add(ResourceType type, String name, PatternType pattern, AclOperation op) {
      bindings.add(
          new AclBinding(
              new ResourcePattern(type, name, pattern),
              new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
    }
  }
}
