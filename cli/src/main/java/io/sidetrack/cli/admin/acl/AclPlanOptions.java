package io.sidetrack.cli.admin.acl;

import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.cli.options.TopicOptions;
import io.sidetrack.stream.RegistryStreamConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What the ACL plan is made of: the topic prefix, registry-stream's id, the principals. */
public final class AclPlanOptions {
  @Mixin TopicOptions topicOptions;

  @EnvVar
  @Option(
      names = "--application-id",
      defaultValue = RegistryStreamConfig.DEFAULT_APPLICATION_ID,
      description =
          "registry-stream's Kafka Streams application.id: its consumer group, and the prefix of"
              + " its internal topics and transactional ids.")
  String applicationId;

  @EnvVar
  @Option(
      names = "--principal",
      paramLabel = "COMPONENT=TYPE:NAME",
      converter = AclPlanOptions.PrincipalEntry.class,
      description =
          "A component's principal instead of its default (repeatable; components: router,"
              + " registry-stream, agent, audit, admin; defaults User:sidetrack-router,"
              + " User:sidetrack-registry-stream, User:sidetrack-agent, User:sidetrack-audit,"
              + " User:sidetrack-admin), e.g. router=User:CN=router.example.com.")
  List<String> principals = new ArrayList<>();

  /** The principals, defaults with the overrides given. */
  public Principals principals() {
    return Principals.parse(principals == null ? List.of() : principals);
  }

  /** The plan these options describe. */
  public List<ComponentAcls> plan() {
    return AclPlan.of(topicOptions.prefix(), applicationId, principals());
  }

  /** Checks one {@code --principal} entry as it is parsed, so a bad one is a usage error. */
  static final class PrincipalEntry implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      try {
        Principals.parse(List.of(value));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
      return value;
    }
  }
}
