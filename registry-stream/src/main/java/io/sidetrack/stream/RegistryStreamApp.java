package io.sidetrack.stream;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sidetrack.schemas.registry.SchemaRegistryClients;
import io.sidetrack.stream.query.QueryApi;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running registry-stream instance: topics ensured, the HTTP query API listening, the Kafka
 * Streams topology running. Several instances with one application id share the partitions.
 */
public final class RegistryStreamApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryStreamApp.class);

  private final RegistryStreamConfig config;
  private final Vertx vertx;
  private final KafkaStreams streams;
  private final QueryApi api;
  private final PrometheusMeterRegistry meters;
  private final KafkaStreamsMetrics streamsMetrics;

  private RegistryStreamApp(
      RegistryStreamConfig config,
      Vertx vertx,
      KafkaStreams streams,
      QueryApi api,
      PrometheusMeterRegistry meters,
      KafkaStreamsMetrics streamsMetrics) {
    this.config = config;
    this.vertx = vertx;
    this.streams = streams;
    this.api = api;
    this.meters = meters;
    this.streamsMetrics = streamsMetrics;
  }

  /**
   * Ensures the topics, starts the query API, then the topology; returns once both run (the stores
   * may still be restoring: {@code /ready} tells when they are done).
   */
  public static RegistryStreamApp start(RegistryStreamConfig config) throws Exception {
    requireNonNull(config, "config");
    try (Admin admin = Admin.create(new HashMap<>(clientProperties(config)))) {
      TopicSetup.ensure(admin, config.topics(), config.partitions(), config.replicationFactor());
    }
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(meters);
    var settings =
        new TopologySettings(
            config.topics(),
            SchemaRegistryClients.create(config.schemaRegistry()),
            config.limits(),
            config.leaseCheckInterval(),
            meters,
            config.trustedRouters());
    if (config.trustedRouters().isEmpty()) {
      LOG.warn(
          "No --trusted-router-keys: registrations are taken whoever wrote them; edge agents that"
              + " require signed routes will refuse their routes");
    } else {
      LOG.info(
          "Taking registrations signed by router keys {}", config.trustedRouters().get().keyIds());
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    QueryApi api = new QueryApi(vertx, meters);
    int port;
    try {
      port =
          api.listen(config.listenHost(), config.listenPort())
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException(
          "cannot listen on "
              + config.listenHost()
              + ":"
              + config.listenPort()
              + ": "
              + rootMessage(e),
          e);
    }
    KafkaStreams streams =
        new KafkaStreams(
            RegistryTopology.build(settings),
            streamsProperties(config, config.advertisedHost(), port));
    KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(meters);
    api.attach(streams, config.advertisedHost(), port);
    streams.setUncaughtExceptionHandler(
        e -> {
          LOG.error("Stream thread failed; replacing it", e);
          return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler
              .StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    streams.start();
    LOG.info(
        "registry-stream {} started; query API on http://{}:{}",
        config.applicationId(),
        config.advertisedHost(),
        port);
    return new RegistryStreamApp(config, vertx, streams, api, meters, streamsMetrics);
  }

  static Map<String, Object> clientProperties(RegistryStreamConfig config) {
    Map<String, Object> props = new HashMap<>(config.kafkaProperties());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    return props;
  }

  static Properties streamsProperties(RegistryStreamConfig config, String host, int port) {
    Properties props = new Properties();
    props.putAll(clientProperties(config));
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
    props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, host + ":" + port);
    props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.standbyReplicas());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.processingGuarantee());
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
    props.put("processing.exception.handler.global.enabled", true);
    props.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class.getName());
    if (config.replicationFactor() > 0) {
      props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.replicationFactor());
    }
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // An idle fetch returns within this: bounds how long a lone registration waits between the
    // two stages (a few instances, so the extra fetches are cheap).
    props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 10);
    // The stream thread commits between polls: a short poll keeps an idle instance committing
    // (making decisions visible) within the commit interval instead of the default 100 ms poll.
    props.put(StreamsConfig.POLL_MS_CONFIG, 10);
    props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
    return props;
  }

  private static String rootMessage(Throwable e) {
    while (e.getCause() != null) {
      e = e.getCause();
    }
    return e.getMessage();
  }

  /** The Kafka Streams instance, for tests and the query API. */
  public KafkaStreams streams() {
    return streams;
  }

  /** Base URL of this instance's query API. */
  public String url() {
    return "http://" + config.advertisedHost() + ":" + api.port();
  }

  /** The metrics registry behind {@code /metrics}. */
  public PrometheusMeterRegistry meters() {
    return meters;
  }

  @Override
  public void close() {
    streams.close(java.time.Duration.ofSeconds(30));
    streamsMetrics.close();
    vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    meters.close();
    LOG.info("registry-stream stopped");
  }
}
