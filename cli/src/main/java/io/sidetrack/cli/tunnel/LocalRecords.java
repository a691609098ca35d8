package io.sidetrack.cli.tunnel;

import static java.util.Objects.requireNonNull;

import io.sidetrack.tunnel.Mux;
import io.sidetrack.tunnel.RecordCodec;
import io.sidetrack.tunnel.TunnelRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The developer's end of the records streams a router opens: writes each record into the Kafka
 * broker on the laptop under its own topic name, with its key, headers and timestamp, into the same
 * partition (the local topic is created with as many partitions as the cluster's). A write is
 * acknowledged to the router (as window) once the broker has it, so the router commits only what
 * reached the laptop, and a slow broker slows only this stream.
 *
 * <p>Kafka's clients block; they run on a thread of their own, one at a time, so records are
 * written in the order they came.
 */
public final class LocalRecords implements AutoCloseable {
  private final String bootstrapServers;
  private final TunnelEvents events;
  private final ExecutorService worker;
  private final Admin admin;
  private final KafkaProducer<byte[], byte[]> producer;

  /** Partitions of each local topic, once created or found (on the worker). */
  private final Map<String, Integer> localPartitions = new HashMap<>();

  /**
   * @param bootstrapServers the local broker
   * @param events told of each record written and of a failure
   */
  public LocalRecords(String bootstrapServers, TunnelEvents events) {
    this.bootstrapServers = requireNonNull(bootstrapServers, "bootstrapServers");
    this.events = requireNonNull(events, "events");
    this.worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "sidetrack-local-records");
              t.setDaemon(true);
              return t;
            });
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "sidetrack-local-records");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(RecordCodec.MAX_RECORD + 1024));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    this.producer = new KafkaProducer<>(p);
  }

  /** The local broker. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Takes a records stream the router opened; call on the tunnel's context. */
  public void accept(Mux.Channel ch, Context context) {
    // the topics first, so the developer's consumers find them before the first record
    RecordCodec.topicsOf(ch.request().headers())
        .forEach(
            (topic, partitions) -> {
              if (partitions > 0) {
                worker.execute(
                    () -> {
                      try {
                        partitionsOf(topic, partitions);
                      } catch (RuntimeException e) {
                        events.recordsFailed(e.getMessage());
                      }
                    });
              }
            });
    Writer writer = new Writer(ch, context);
    ch.resetHandler(why -> writer.failed = true);
    // every write acknowledged: the router commits what reached the local broker
    ch.windowEvery(1).sinkTo(writer, context, trailers -> {});
  }

  /** Writes the pieces of one stream; on the tunnel's context. */
  private final class Writer implements WriteStream<Buffer> {
    private final Mux.Channel ch;
    private final Context context;
    private final RecordCodec.Reader reader = new RecordCodec.Reader();
    private boolean failed;

    Writer(Mux.Channel ch, Context context) {
      this.ch = ch;
      this.context = context;
    }

    @Override
    public Future<Void> write(Buffer piece) {
      if (failed) {
        return Future.failedFuture("the records stream failed");
      }
      List<TunnelRecord> records;
      try {
        records = reader.add(piece);
      } catch (RecordCodec.BadRecord e) {
        return fail("the router sent a bad record: " + e.getMessage());
      }
      if (records.isEmpty()) {
        return Future.succeededFuture(); // a piece of a record: the rest is on its way
      }
      Promise<Void> written = Promise.promise();
      AtomicInteger left = new AtomicInteger(records.size());
      worker.execute(
          () -> {
            for (TunnelRecord r : records) {
              try {
                producer.send(
                    toLocal(r),
                    (meta, e) -> {
                      if (e != null) {
                        context.runOnContext(
                            v -> fail("could not write to " + bootstrapServers + ": " + e));
                        written.tryFail(e);
                      } else {
                        events.recordWritten(r.topic(), r.partition(), r.offset());
                        if (left.decrementAndGet() == 0) {
                          context.runOnContext(v -> written.tryComplete());
                        }
                      }
                    });
              } catch (RuntimeException e) {
                String why = "could not write to " + bootstrapServers + ": " + e.getMessage();
                context.runOnContext(v -> fail(why));
                written.tryFail(e);
                return;
              }
            }
          });
      return written.future();
    }

    private Future<Void> fail(String why) {
      if (!failed) {
        failed = true;
        events.recordsFailed(why);
        ch.reset(why);
      }
      return Future.failedFuture(why);
    }

    @Override
    public Future<Void> end() {
      return Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      return this;
    }
  }

  /** The record as the local broker takes it (on the worker: it may create the topic). */
  private ProducerRecord<byte[], byte[]> toLocal(TunnelRecord r) {
    int partitions = partitionsOf(r.topic(), Math.max(1, r.partitions()));
    RecordHeaders headers = new RecordHeaders();
    r.headers().forEach(h -> headers.add(h.name(), h.value()));
    Integer partition = r.partition() < partitions ? r.partition() : null;
    return new ProducerRecord<>(
        r.topic(),
        partition,
        r.timestamp() < 0 ? null : r.timestamp(),
        r.key(),
        r.value(),
        headers);
  }

  private int partitionsOf(String topic, int wanted) {
    Integer known = localPartitions.get(topic);
    if (known != null) {
      return known;
    }
    int n = wanted;
    try {
      admin
          .createTopics(List.of(new NewTopic(topic, Optional.of(wanted), Optional.empty())))
          .all()
          .get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("could not create topic " + topic + ": " + e.getCause());
      }
      n = existingPartitions(topic);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "the local broker did not create topic " + topic + " in 10 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
    localPartitions.put(topic, n);
    return n;
  }

  private int existingPartitions(String topic) {
    try {
      return admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get(10, TimeUnit.SECONDS)
          .get(topic)
          .partitions()
          .size();
    } catch (Exception e) {
      throw new IllegalStateException("could not describe topic " + topic + ": " + e);
    }
  }

  @Override
  public void close() {
    worker.shutdown();
    producer.close(Duration.ofSeconds(2));
    admin.close(Duration.ofSeconds(2));
  }
}
