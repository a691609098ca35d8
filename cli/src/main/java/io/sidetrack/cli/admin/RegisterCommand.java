package io.sidetrack.cli.admin;

import io.sidetrack.cli.MatchOptions;
import io.sidetrack.cli.context.Connection;
import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.trust.RouteSigner;
import io.sidetrack.router.RouterConfig;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.schemas.avro.InterceptRegistration;
import io.sidetrack.schemas.registry.SchemaRegistryClients;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.schemas.serde.AvroSerde;
import java.io.PrintWriter;
import java.nio.file.Path;
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

  @Mixin MatchOptions match;

  @Option(
      names = "--target",
      defaultValue = "127.0.0.1:9000",
      description = "Where matched requests go (a router address; default ${DEFAULT-VALUE}).")
  String target;

  @Option(
      names = "--ttl",
      defaultValue = "15m",
      description = "Lease length; nothing renews it (default ${DEFAULT-VALUE}).")
  Duration ttl;

  @Option(names = "--fail-closed", description = "Answer 503 instead of falling back to the app.")
  boolean failClosed;

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label (repeatable).")
  List<String> labels = new ArrayList<>();

  @Option(names = "--no-wait", description = "Do not wait for the decision.", negatable = false)
  boolean noWait;

  @EnvVar("SIDETRACK_SIGNING_KEY")
  @Option(
      names = "--signing-key",
      paramLabel = "FILE",
      description =
          "PEM Ed25519 private key (a router's, from 'sidetrack keys generate') to sign the"
              + " registration with, as a router does; without it the registration is unsigned and"
              + " a registry-stream that has --trusted-router-keys rejects it.")
  Path signingKey;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, String> labelMap = new LinkedHashMap<>();
    for (String l : labels) {
      String[] kv = MatchOptions.pair("--label", l);
      labelMap.put(kv[0], kv[1]);
    }
    RouteSigner signer = signingKey == null ? null : RouterConfig.Signing.read(signingKey).signer();
    Duration lease = ttl;
    Instant now = Instant.now();
    String interceptId = id != null ? id : "i-" + UUID.randomUUID().toString().substring(0, 8);
    Intercept intercept =
        new Intercept(
            interceptId,
            workload,
            owner,
            match.rules(List.of()),
            target,
            now,
            now.plus(lease),
            failClosed ? FailureMode.FAIL_CLOSED : FailureMode.FAIL_OPEN,
            labelMap);
    if (signer != null) {
      intercept = signer.sign(intercept);
    }

    var topics = connection.topics();
    var serde =
        AvroSerde.forValues(
            SchemaRegistryClients.create(SchemaRegistryConfig.of(connection.schemaRegistryUrl())),
            InterceptRegistration.class);
    try (var producer = KafkaClients.producer(connection)) {
      producer
          .send(
              new org.apache.kafka.clients.producer.ProducerRecord<>(
                  topics.intercepts(),
                  interceptId,
                  serde.serialize(topics.intercepts(), AvroMapping.toRegistration(intercept))))
          .get();
    }
    out.println(
        "Published intercept "
            + interceptId
            + " on "
            + workload
            + (signer == null ? " (unsigned)." : " signed with key " + signer.keyId() + "."));
    out.flush();
    if (noWait) {
      return 0;
    }
    return Decisions.await(connection.apiUrl(), interceptId, now, out);
  }
}
