package io.sidetrack.cli.admin;

import io.sidetrack.cli.context.Connection;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sidetrack unregister ID}: writes the intercept's tombstone. */
@Command(
    name = "unregister",
    mixinStandardHelpOptions = true,
    description = "Remove an intercept by writing its tombstone to sidetrack.intercepts.")
public final class UnregisterCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Connection connection;

  @Parameters(index = "0", paramLabel = "ID", description = "The intercept id.")
  String id;

  @Override
  public Integer call() throws Exception {
    try (var producer = KafkaClients.producer(connection)) {
      producer.send(new ProducerRecord<>(connection.topics().intercepts(), id, null)).get();
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("Removed intercept " + id + ".");
    return 0;
  }
}
