package io.sidetrack.stream;

import io.sidetrack.core.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates Sidetrack's topics when they are missing, each with its cleanup policy, and warns about
 * existing ones whose policy differs (it never alters a topic someone else created).
 */
public final class TopicSetup {
  private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

  private TopicSetup() {}

  /** The topics and their settings. */
  public static Map<String, Map<String, String>> topicConfigs(Topics.Names names) {
    Map<String, String> compacted =
        Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG,
            "0");
    Map<String, Map<String, String>> topics = new HashMap<>();
    topics.put(names.intercepts(), compacted);
    topics.put(names.interceptsByWorkload(), compacted);
    topics.put(names.routes(), compacted);
    topics.put(names.agents(), compacted);
    topics.put(
        names.interceptsDlq(),
        Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_DELETE,
            TopicConfig.RETENTION_MS_CONFIG,
            String.valueOf(TimeUnit.DAYS.toMillis(30))));
    // The audit history is the source replay rebuilds routing from: keep it.
    topics.put(
        names.audit(),
        Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_DELETE,
            TopicConfig.RETENTION_MS_CONFIG,
            "-1"));
    return topics;
  }

  /**
   * The topics' configs. Topics just created may not be known to every broker yet: ask again for a
   * few seconds, then give up on the check (it only warns).
   */
  private static Map<ConfigResource, Config> describeConfigs(
      Admin admin, List<ConfigResource> resources)
      throws InterruptedException, ExecutionException, TimeoutException {
    for (int attempt = 1; ; attempt++) {
      try {
        return admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
        if (attempt == 25) {
          LOG.warn("Could not check the cleanup policy of new topics: {}", e.getCause().toString());
          return Map.of();
        }
        Thread.sleep(200);
      }
    }
  }

  /** Creates the missing topics and checks the cleanup policy of the others. */
  public static void ensure(Admin admin, Topics.Names names, int partitions, int replication)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<String, Map<String, String>> wanted = topicConfigs(names);
    Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
    List<NewTopic> missing = new ArrayList<>();
    for (var e : wanted.entrySet()) {
      if (!existing.contains(e.getKey())) {
        Optional<Short> rf = replication < 0 ? Optional.empty() : Optional.of((short) replication);
        missing.add(new NewTopic(e.getKey(), Optional.of(partitions), rf).configs(e.getValue()));
      }
    }
    if (!missing.isEmpty()) {
      try {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        missing.forEach(t -> LOG.info("Created topic {} ({} partitions)", t.name(), partitions));
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
    List<ConfigResource> resources =
        wanted.keySet().stream()
            .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
            .toList();
    Map<ConfigResource, Config> configs = describeConfigs(admin, resources);
    for (var e : configs.entrySet()) {
      String topic = e.getKey().name();
      String want = wanted.get(topic).get(TopicConfig.CLEANUP_POLICY_CONFIG);
      var have = e.getValue().get(TopicConfig.CLEANUP_POLICY_CONFIG);
      if (have != null && !want.equals(have.value())) {
        LOG.warn(
            "Topic {} has cleanup.policy={}, Sidetrack expects {}: fix it with kafka-configs",
            topic,
            have.value(),
            want);
      }
    }
  }
}
