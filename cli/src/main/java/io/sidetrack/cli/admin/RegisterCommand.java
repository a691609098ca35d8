package io.sidetrack.cli.admin;

import io.sidetrack.cli.context.Connection;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.Durations;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.registry.SchemaRegistryClients;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sidetrack register}: writes one registration straight to {@code sidetrack.intercepts} and
 * reports registry-stream's decision. For operators and tests; developers intercept through a
 * router, which stamps the owner and renews the lease.
 */
@Command(
    name = "register",
    mixinStandardHelpOptions = true,
    description = {
      "Publish an intercept registration straight to Kafka and wait for registry-stream's"
          + " decision (operators and tests: it sets the owner and target you give, and nothing"
          + " renews the lease).",
      "Exit code 0 when accepted, 1 when rejected (the reason is printed)."
    })
public final class RegisterCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Connection connection;

  @Parameters(index = "0", paramLabel = "WORKLOAD", description = "The workload to intercept.")
  String workload;

  @Option(names = "--id", description = "Intercept id (default: a new random one).")
  String id;

  @Option(
      names = "--owner",
      defaultValue = "${sys:user.name}",
      description = "Owner recorded on the intercept (default: your user name, ${DEFAULT-VALUE}).")
  String owner;

  @Option(
      names = "--header",
      paramLabel = "NAME=VALUE",
      description = "Take requests whose header NAME equals VALUE (repeatable).")
  List<String> headers = new ArrayList<>();

  @Option(
      names = "--header-regex",
      paramLabel = "NAME=RE2",
      description =
          "Take requests whose header NAME matches the RE2 regex as a whole (repeatable).")
  List<String> headerRegexes = new ArrayList<>();

  @Option(
      names = "--baggage",
      paramLabel = "KEY=VALUE",
      description = "Take requests whose W3C baggage has KEY=VALUE (repeatable).")
  List<String> baggage = new ArrayList<>();

  @Option(names = "--path-prefix", description = "Take requests whose path starts with this.")
  String pathPrefix;

  @Option(names = "--method", description = "Take requests with this HTTP method.")
  String method;

  @Option(names = "--global", description = "Take every request no personal intercept takes.")
  boolean global;

  @Option(
      names = "--target",
      defaultValue = "127.0.0.1:9000",
      description = "Where matched requests go (a router address; default ${DEFAULT-VALUE}).")
  String target;

  @Option(
      names = "--ttl",
      defaultValue = "15m",
      description = "Lease length; nothing renews it (default ${DEFAULT-VALUE}).")
  String ttl;

  @Option(names = "--fail-closed", description = "Answer 503 instead of falling back to the app.")
  boolean failClosed;

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label (repeatable).")
  List<String> labels = new ArrayList<>();

  @Option(names = "--no-wait", description = "Do not wait for the decision.", negatable = false)
  boolean noWait;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<HeaderMatch> headerRules = new ArrayList<>();
    for (String h : headers) {
      String[] kv = pair("--header", h);
      headerRules.add(HeaderMatch.exact(kv[0], kv[1]));
    }
    for (String h : headerRegexes) {
      String[] kv = pair("--header-regex", h);
      headerRules.add(HeaderMatch.regex(kv[0], kv[1]));
    }
    List<BaggageMatch> baggageRules = new ArrayList<>();
    for (String b : baggage) {
      String[] kv = pair("--baggage", b);
      baggageRules.add(new BaggageMatch(kv[0], kv[1]));
    }
    Map<String, String> labelMap = new LinkedHashMap<>();
    for (String l : labels) {
      String[] kv = pair("--label", l);
      labelMap.put(kv[0], kv[1]);
    }
    Duration lease;
    try {
      lease = Durations.parse(ttl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid --ttl: " + e.getMessage(), e);
    }
    Instant now = Instant.now();
    String interceptId = id != null ? id : "i-" + UUID.randomUUID().toString().substring(0, 8);
    Intercept intercept =
        new Intercept(
            interceptId,
            workload,
            owner,
            new MatchRules(headerRules, baggageRules, pathPrefix, method, global),
            target,
            now,
            now.plus(lease),
            failClosed ? FailureMode.FAIL_CLOSED : FailureMode.FAIL_OPEN,
            labelMap);

    var topics = connection.topics();
    var serde =
        AvroSerde.forValues(
            SchemaRegistryClients.create(SchemaRegistryConfig.of(connection.schemaRegistryUrl())),
            InterceptRegistration.class);
    try (var producer = KafkaClients.producer(connection.bootstrapServers())) {
      producer
          .send(
              new org.apache.kafka.clients.producer.ProducerRecord<>(
                  topics.intercepts(),
                  interceptId,
                  serde.serialize(topics.intercepts(), AvroMapping.toRegistration(intercept))))
          .get();
    }
    out.println("Published intercept " + interceptId + " on " + workload + ".");
    out.flush();
    if (noWait) {
      return 0;
    }
    return Decisions.await(connection.apiUrl(), interceptId, now, out);
  }

  private static String[] pair(String flag, String value) {
    int eq = value.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException(
          "invalid " + flag + " '" + value + "': expected NAME=VALUE");
    }
    return new String[] {value.substring(0, eq), value.substring(eq + 1)};
  }
}
