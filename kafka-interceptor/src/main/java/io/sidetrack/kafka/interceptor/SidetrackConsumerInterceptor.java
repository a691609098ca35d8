package io.sidetrack.kafka.interceptor;

import io.sidetrack.kafka.interceptor.internal.RecordFilter;
import io.sidetrack.kafka.interceptor.internal.WorkloadRoutes;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue split, by configuration only: a Kafka {@link ConsumerInterceptor} that removes from
 * each poll the records an active intercept of the consumer's workload claims (by header {@code
 * x-sidetrack-id}, W3C baggage member {@code sidetrack-id}, or whatever the intercept's rules
 * name), decided by the edge agent's own matcher. Offsets move past them as past any record. Enable
 * it with {@code interceptor.classes=io.sidetrack.kafka.interceptor.SidetrackConsumerInterceptor}
 * (Kafka Streams: {@code consumer.interceptor.classes}) and the settings of {@link
 * InterceptorConfig}.
 *
 * <p>It reads the workload's route entries on a background thread (shared by the JVM's consumers of
 * the workload) and reports them applied to {@code sidetrack.agents}, as an edge agent does. The
 * first poll with records waits at most {@code sidetrack.first.read.wait.ms} for the first read;
 * after that no poll waits. It fails open: with Sidetrack's topics unreachable it filters by the
 * last routes read, or by none before the first read. Counts are on JMX ({@link
 * SidetrackInterceptorMetricsMBean}) and {@link #recordsRemoved()}.
 */
public class SidetrackConsumerInterceptor<K, V>
    implements ConsumerInterceptor<K, V>, SidetrackInterceptorMetricsMBean {
  private static final Logger LOG = LoggerFactory.getLogger(SidetrackConsumerInterceptor.class);

  private InterceptorConfig config;
  private WorkloadRoutes routes;
  private RecordFilter filter;
  private boolean waited;
  private ObjectName mbean;
  private final AtomicLong removed = new AtomicLong();
  private final AtomicLong seen = new AtomicLong();

  /** Made by the Kafka consumer from {@code interceptor.classes}. */
  public SidetrackConsumerInterceptor() {}

  @Override
  public void configure(Map<String, ?> configs) {
    config = InterceptorConfig.from(configs);
    boolean agentIdGiven =
        configs.get(InterceptorConfig.AGENT_ID_CONFIG) != null
            || System.getenv(InterceptorConfig.envVar(InterceptorConfig.AGENT_ID_CONFIG)) != null;
    filter =
        new RecordFilter(
            config.mode() == InterceptorConfig.Mode.DEVELOPER ? config.developerId() : null);
    routes = WorkloadRoutes.acquire(config, agentIdGiven);
    Object clientId = configs.get(ConsumerConfig.CLIENT_ID_CONFIG);
    register(clientId == null ? config.agentId() : clientId.toString());
    LOG.info(
        "Sidetrack interceptor of workload {} ({} mode) on consumer {}",
        config.workload(),
        config.mode().name().toLowerCase(java.util.Locale.ROOT),
        clientId);
  }

  private void register(String clientId) {
    try {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      ObjectName name =
          new ObjectName(
              "io.sidetrack:type=kafka-interceptor,client-id=" + ObjectName.quote(clientId));
      if (!server.isRegistered(name)) {
        server.registerMBean(new StandardMBean(this, SidetrackInterceptorMetricsMBean.class), name);
        mbean = name;
      }
    } catch (JMException e) {
      LOG.warn("Sidetrack interceptor metrics not on JMX: {}", e.getMessage());
    }
  }

  @Override
  public ConsumerRecords<K, V> onConsume(ConsumerRecords<K, V> records) {
    if (records.isEmpty()) {
      return records;
    }
    if (!waited) {
      waited = true;
      if (!routes.awaitFirstRead(config.firstReadWait())) {
        LOG.warn(
            "Sidetrack interceptor of {}: routes not read within {} ms; {}",
            config.workload(),
            config.firstReadWait().toMillis(),
            config.mode() == InterceptorConfig.Mode.CLUSTER
                ? "no record is skipped until they are"
                : "no record is kept until they are");
      }
    }
    seen.addAndGet(records.count());
    RecordFilter.Result<K, V> result = filter.filter(records, routes.current());
    if (result.removed() > 0) {
      removed.addAndGet(result.removed());
    }
    return result.records();
  }

  @Override
  public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

  @Override
  public void close() {
    if (mbean != null) {
      try {
        ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbean);
      } catch (JMException e) {
        // already gone
      }
      mbean = null;
    }
    if (routes != null) {
      routes.release();
      routes = null;
    }
  }

  /** Records removed from this consumer's polls. */
  public long recordsRemoved() {
    return removed.get();
  }

  @Override
  public long getRecordsRemoved() {
    return removed.get();
  }

  @Override
  public long getRecordsSeen() {
    return seen.get();
  }

  @Override
  public int getRoutes() {
    WorkloadRoutes r = routes;
    return r == null ? 0 : r.current().size();
  }

  @Override
  public boolean isCaughtUp() {
    WorkloadRoutes r = routes;
    return r != null && r.caughtUp();
  }

  @Override
  public boolean isKafkaReachable() {
    WorkloadRoutes r = routes;
    return r != null && r.kafkaReachable();
  }

  @Override
  public long getAppliedOffset() {
    WorkloadRoutes r = routes;
    return r == null ? 0 : r.appliedOffset();
  }

  @Override
  public long getRoutesRefused() {
    WorkloadRoutes r = routes;
    return r == null ? 0 : r.refusedRoutes();
  }
}
