package io.sidetrack.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.embedded.SharedInfrastructure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The reader on a real broker: read to the end, tail, a poisoned record skipped. */
@Timeout(120)
class CompactedTopicReaderIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void readsToTheEndTailsAndSkipsAPoisonedRecord() throws Exception {
    String kafka = SharedInfrastructure.kafka();
    String topic = "feed-" + UUID.randomUUID();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 2, (short) 1)
                      .configs(
                          Map.of(
                              TopicConfig.CLEANUP_POLICY_CONFIG,
                              TopicConfig.CLEANUP_POLICY_COMPACT))))
          .all()
          .get();
    }
    Map<String, String> state = new ConcurrentHashMap<>();
    List<SkippedRecord> skipped = new CopyOnWriteArrayList<>();
    Deserializer<String> values =
        (t, data) -> {
          String s = new String(data, StandardCharsets.UTF_8);
          if (s.startsWith("poison")) {
            throw new IllegalArgumentException("poisoned: " + s);
          }
          return s;
        };
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", kafka), new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < 1000; i++) {
        producer.send(new ProducerRecord<>(topic, i % 2, "k" + (i % 100), "v" + i));
      }
      producer.send(new ProducerRecord<>(topic, 0, "bad", "poison-1"));
      producer.send(new ProducerRecord<>(topic, 1, "k1", null));
      producer.flush();

      try (CompactedTopicReader<String, String> reader =
          CompactedTopicReader.builder("it-reader", new StringDeserializer(), values)
              .consumerProperties(Map.of("bootstrap.servers", kafka))
              .source(Source.all(topic))
              .decodeThreads(2)
              .handler(
                  new RecordHandler<>() {
                    @Override
                    public void apply(FeedRecord<String, String> r) {
                      if (r.value() == null) {
                        state.remove(r.key());
                      } else {
                        state.put(r.key(), r.value());
                      }
                    }

                    @Override
                    public void skipped(SkippedRecord r) {
                      skipped.add(r);
                    }
                  })
              .build()) {
        reader.start();

        Map<TopicPartition, Long> ends = reader.caughtUp().get(30, TimeUnit.SECONDS);
        assertThat(ends)
            .isEqualTo(
                Map.of(new TopicPartition(topic, 0), 501L, new TopicPartition(topic, 1), 501L));
        // the last value of each key, k1's tombstone applied
        assertThat(state).hasSize(99).containsEntry("k0", "v900").containsEntry("k99", "v999");
        assertThat(state).doesNotContainKeys("k1", "bad");
        assertThat(skipped).singleElement().extracting(SkippedRecord::key).isEqualTo("bad");
        assertThat(reader.appliedOffsets()).isEqualTo(ends);

        producer.send(new ProducerRecord<>(topic, 1, "k1", "back")).get();
        producer.send(new ProducerRecord<>(topic, 0, "bad2", "poison-2")).get();
        producer.send(new ProducerRecord<>(topic, 0, "k0", "new")).get();
        await().atMost(WAIT).until(() -> "new".equals(state.get("k0")));
        assertThat(state).containsEntry("k1", "back").doesNotContainKey("bad2");
        assertThat(reader.skippedCount()).isEqualTo(2);
        await()
            .atMost(WAIT)
            .until(() -> reader.appliedOffsets().get(new TopicPartition(topic, 0)) == 503L);
        assertThat(reader.kafkaReachable()).isTrue();
      }
    }
  }
}
