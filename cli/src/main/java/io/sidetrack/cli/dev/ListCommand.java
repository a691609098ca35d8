package io.sidetrack.cli.dev;

import io.sidetrack.cli.audit.Describe;
import io.sidetrack.cli.audit.OutputFormat;
import io.sidetrack.cli.audit.Table;
import io.sidetrack.tunnel.InterceptSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sidetrack list}: the active intercepts. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List the active intercepts of every workload, as the router sees them.")
public final class ListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "table or json (default ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Option(names = "--workload", description = "Only this workload's intercepts.")
  String workload;

  @Mixin RouterOptions router;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    JsonArray all = new RouterApi(router).getArray("/v1/intercepts");
    JsonArray shown = new JsonArray();
    for (Object o : all) {
      JsonObject i = (JsonObject) o;
      if (workload == null || workload.equals(i.getString("workload"))) {
        shown.add(i);
      }
    }
    if (output == OutputFormat.json) {
      out.println(shown.encodePrettily());
      out.flush();
      return 0;
    }
    if (shown.isEmpty()) {
      out.println("No active intercepts.");
      out.flush();
      return 0;
    }
    Table table = new Table("ID", "WORKLOAD", "OWNER", "MATCH", "AGE", "ROUTER");
    Instant now = Instant.now();
    for (Object o : shown) {
      JsonObject i = (JsonObject) o;
      table.add(
          i.getString("id"),
          i.getString("workload"),
          i.getString("owner"),
          Describe.rules(InterceptSpec.matchFromJson(i.getJsonObject("match")))
              + ("FAIL_CLOSED".equals(i.getString("failureMode")) ? " (fail-closed)" : "")
              + topics(i),
          age(Duration.between(Instant.parse(i.getString("createdAt")), now)),
          i.getString("target"));
    }
    table.print(out);
    return 0;
  }

  /** {@code " topics a,b"} for an intercept that takes records (a router of before: none). */
  private static String topics(JsonObject intercept) {
    List<String> topics = InterceptSpec.topicsFromJson(intercept);
    return topics.isEmpty() ? "" : " topics " + String.join(",", topics);
  }

  static String age(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 7200) {
      return (s / 60) + "m";
    }
    return (s / 3600) + "h";
  }
}
