package io.sidetrack.cli.dev;

import io.sidetrack.cli.audit.OutputFormat;
import io.sidetrack.cli.audit.Table;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sidetrack agents}: the live edge agents. */
@Command(
    name = "agents",
    mixinStandardHelpOptions = true,
    description = {
      "List the live edge agents (from sidetrack.agents): their workload, how far into"
          + " sidetrack.routes they have applied, and how many routes they hold.",
      "An intercept is active once every live agent of its workload applied its route entry."
    })
public final class AgentsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "table or json (default ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Mixin RouterOptions router;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    JsonArray agents = new RouterApi(router).getArray("/v1/agents");
    if (output == OutputFormat.json) {
      out.println(agents.encodePrettily());
      out.flush();
      return 0;
    }
    if (agents.isEmpty()) {
      out.println("No live edge agents.");
      out.flush();
      return 0;
    }
    Table table =
        new Table("AGENT", "WORKLOAD", "READY", "ROUTES", "APPLIED", "UP", "LAST HEARTBEAT");
    Instant now = Instant.now();
    for (Object o : agents) {
      JsonObject a = (JsonObject) o;
      table.add(
          a.getString("agentId"),
          a.getString("workload"),
          String.valueOf(a.getBoolean("ready")),
          String.valueOf(a.getInteger("routes")),
          a.getInteger("partition") + "@" + a.getLong("appliedOffset"),
          ListCommand.age(Duration.between(Instant.parse(a.getString("startedAt")), now)),
          ListCommand.age(Duration.between(Instant.parse(a.getString("lastHeartbeat")), now))
              + " ago");
    }
    table.print(out);
    return 0;
  }
}
