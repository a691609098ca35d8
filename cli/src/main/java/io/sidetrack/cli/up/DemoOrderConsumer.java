package io.sidetrack.cli.up;

import static java.util.Objects.requireNonNull;

import io.sidetrack.kafka.interceptor.InterceptorConfig;
import io.sidetrack.kafka.interceptor.SidetrackConsumerInterceptor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster copy of {@code demo} as a Kafka consumer: it reads the demo topic in its own group
 * and keeps the last records it processed, which the demo workload serves at {@code GET
 * /processed}. It is a plain {@link KafkaConsumer}; what makes it skip a developer's records is
 * only the configuration it is given (Sidetrack's consumer interceptor, see {@link #settings}).
 */
final class DemoOrderConsumer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DemoOrderConsumer.class);

  /** How many processed records are kept (the oldest go first). */
  static final int KEPT = 1000;

  private final KafkaConsumer<String, String> consumer;
  private final Thread thread;
  private final Deque<String> processed = new ArrayDeque<>();
  private volatile boolean stopping;

  private DemoOrderConsumer(KafkaConsumer<String, String> consumer, String topic) {
    this.consumer = consumer;
    consumer.subscribe(List.of(topic));
    this.thread = new Thread(this::run, "demo-consumer-" + topic);
    thread.setDaemon(true);
  }

  /**
   * The consumer's settings: group {@code demo}, from the topic's start, and Sidetrack's consumer
   * interceptor for the workload {@code demo}, as an app in the cluster would configure it.
   *
   * @param kafka the app's own client settings ({@code bootstrap.servers}, security)
   * @param schemaRegistryUrl Sidetrack's schema registry
   * @param trustedRouterKeys PEM file of the routers' public key
   */
  static Map<String, Object> settings(
      Map<String, String> kafka,
      String workload,
      String schemaRegistryUrl,
      String trustedRouterKeys) {
    Map<String, Object> p = new HashMap<>(kafka);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, workload);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, workload + "-orders");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG, SidetrackConsumerInterceptor.class.getName());
    p.put(InterceptorConfig.WORKLOAD_CONFIG, workload);
    p.put(InterceptorConfig.SCHEMA_REGISTRY_URL_CONFIG, schemaRegistryUrl);
    p.put(InterceptorConfig.TRUSTED_ROUTER_KEYS_CONFIG, trustedRouterKeys);
    return p;
  }

  /** Subscribes to {@code topic} with {@code settings} and processes records until closed. */
  static DemoOrderConsumer start(Map<String, Object> settings, String topic) {
    requireNonNull(settings, "settings");
    requireNonNull(topic, "topic");
    DemoOrderConsumer c =
        new DemoOrderConsumer(
            new KafkaConsumer<>(settings, new StringDeserializer(), new StringDeserializer()),
            topic);
    c.thread.start();
    return c;
  }

  /** The records processed, oldest first: {@code TOPIC-PARTITION@OFFSET VALUE} each. */
  synchronized List<String> processed() {
    return List.copyOf(processed);
  }

  private void run() {
    try {
      while (!stopping) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          process(r);
        }
      }
    } catch (WakeupException stop) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("demo's consumer stopped: {}", e.toString());
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private synchronized void process(ConsumerRecord<String, String> r) {
    String line = r.topic() + "-" + r.partition() + "@" + r.offset() + " " + r.value();
    LOG.info("demo processed {}", line);
    processed.addLast(line);
    if (processed.size() > KEPT) {
      processed.removeFirst();
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopping = true;
    consumer.wakeup();
    thread.join(TimeUnit.SECONDS.toMillis(10));
  }
}
