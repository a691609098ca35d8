package io.sidetrack.cli.admin.acl;

import io.sidetrack.cli.Sidetrack;
import io.sidetrack.cli.components.KafkaOptions;
import io.sidetrack.cli.options.EnvVar;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AclBinding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sidetrack acl}: the least-privilege Kafka ACLs of every component, shown or applied. */
@Command(
    name = "acl",
    mixinStandardHelpOptions = true,
    description = {
      "The Kafka principals of Sidetrack's components and the ACLs each needs: router,"
          + " registry-stream, agent, audit (audit, replay, explain) and admin.",
      "'acl show' prints them; 'acl apply' adds the missing ones to a cluster."
    },
    subcommands = {AclCommand.Show.class, AclCommand.Apply.class})
public final class AclCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return Sidetrack.EXIT_USAGE;
  }

  /** {@code sidetrack acl show}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = {
        "Print each component's principal and ACLs (no connection to Kafka).",
        "Every flag has an environment variable; flags win."
      })
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin AclPlanOptions plan;

    @EnvVar
    @Option(
        names = "--kafka-acls",
        defaultValue = "false",
        description =
            "Print the kafka-acls.sh commands that add the same ACLs instead (they expect"
                + " $BOOTSTRAP and an admin.properties of the admin's client settings).")
    boolean kafkaAcls;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      for (ComponentAcls c : plan.plan()) {
        if (kafkaAcls) {
          out.println("# " + c.component().key());
          c.bindings().forEach(b -> out.println(AclPlan.kafkaAclsLine(b)));
        } else {
          out.println(c.component().key() + " (" + c.principal() + ")");
          c.bindings().forEach(b -> out.println("  " + AclPlan.describe(b)));
        }
      }
      out.flush();
      return 0;
    }
  }

  /** {@code sidetrack acl apply}. */
  @Command(
      name = "apply",
      mixinStandardHelpOptions = true,
      description = {
        "Add the ACLs of 'acl show' that the cluster lacks, with Kafka's Admin API; existing ACLs"
            + " are left as they are, so running it again does nothing. Prints what it added.",
        "The client settings (--kafka-config) must authenticate a principal allowed to describe"
            + " and create ACLs (cluster ALTER and DESCRIBE, or a super user).",
        "Every flag has an environment variable; flags win."
      })
  static final class Apply implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin KafkaOptions kafka;
    @Mixin AclPlanOptions plan;

    @EnvVar
    @Option(
        names = "--create-users",
        paramLabel = "FILE",
        description =
            "Also create SCRAM-SHA-512 users from FILE, a properties file of USER=PASSWORD lines"
                + " (for the embedded or a development cluster); a user that exists is left as it"
                + " is.")
    Path createUsers;

    @EnvVar
    @Option(
        names = "--dry-run",
        defaultValue = "false",
        description = "Print what would be added, add nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Map<String, String> users = createUsers == null ? Map.of() : ScramUsers.read(createUsers);
      List<ComponentAcls> wanted = plan.plan();
      Map<String, Object> props = new HashMap<>(kafka.properties());
      props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
      props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
      try (Admin admin = Admin.create(props)) {
        apply(admin, wanted, users, dryRun, out);
      }
      return 0;
    }
  }

  /**
   * Creates the missing {@code users}, then the missing ACLs of {@code plan}, printing each to
   * {@code out}; used by {@code acl apply} and by {@code up --secure}.
   */
  public static void apply(
      Admin admin,
      List<ComponentAcls> plan,
      Map<String, String> users,
      boolean dryRun,
      PrintWriter out)
      throws Exception {
    String verb = dryRun ? "Would create" : "Created";
    if (!users.isEmpty()) {
      List<String> created = new ScramUsers(admin).create(users, dryRun);
      created.forEach(u -> out.println("+ SCRAM-SHA-512 user " + u));
      out.printf(
          "%s %d SCRAM users; %d existed already.%n",
          verb, created.size(), users.size() - created.size());
    }
    List<AclBinding> all = AclPlan.bindings(plan);
    List<AclBinding> added = new AclApplier(admin).apply(all, dryRun);
    for (AclBinding b : added) {
      out.printf("+ %-32s %s%n", b.entry().principal(), AclPlan.describe(b));
    }
    out.printf("%s %d ACLs; %d existed already.%n", verb, added.size(), all.size() - added.size());
    out.flush();
  }
}
