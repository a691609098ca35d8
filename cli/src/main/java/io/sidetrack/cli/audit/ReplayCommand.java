package io.sidetrack.cli.audit;

import io.sidetrack.cli.context.Connection;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.InterceptValidator;
import io.sidetrack.core.audit.RoutingReplay;
import io.sidetrack.stream.query.InterceptJson;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sidetrack replay --at T}: routing as it was at T, rebuilt from the audit events alone. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Show every workload's active intercepts and routes as they were at an instant, rebuilt"
          + " from the audit events alone.",
      "Times are ISO-8601 or a time ago (30m, 2h)."
    })
public final class ReplayCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Connection connection;

  @Option(names = "--at", required = true, description = "The instant to rebuild.")
  String at;

  @Option(names = "--workload", description = "Only this workload.")
  String workload;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "table or json. Default ${DEFAULT-VALUE}.")
  OutputFormat output;

  @Override
  public Integer call() throws Exception {
    Instant instant = TimeArg.parsePast("--at", at, Instant.now());
    if (workload != null && !InterceptValidator.isValidWorkload(workload)) {
      throw new IllegalArgumentException("invalid --workload '" + workload + "'");
    }
    RoutingReplay replay;
    try (AuditLog log = AuditLog.open(connection)) {
      replay = replay(log, instant, workload);
      if (workload != null && replay.active().isEmpty() && !log.knowsWorkload(workload)) {
        throw new IllegalArgumentException(
            "unknown workload '" + workload + "': no audit event names it");
      }
    }
    print(instant, replay, spec.commandLine().getOut());
    return 0;
  }

  /** Replays the events of {@code workload} (or all) decided up to {@code instant}. */
  public static RoutingReplay replay(AuditLog log, Instant instant, String workload) {
    RoutingReplay replay = new RoutingReplay();
    log.read(null, instant, workload, false, () -> false, replay::apply);
    return replay;
  }

  private void print(Instant instant, RoutingReplay replay, PrintWriter out) {
    Map<String, Intercept> active = replay.active();
    if (output == OutputFormat.json) {
      JsonObject workloads = new JsonObject();
      active
          .values()
          .forEach(
              i -> {
                JsonArray list = workloads.getJsonArray(i.workload());
                if (list == null) {
                  list = new JsonArray();
                  workloads.put(i.workload(), list);
                }
                list.add(InterceptJson.of(i));
              });
      out.println(
          new JsonObject()
              .put("at", instant.toString())
              .put("events", replay.applied())
              .put("workloads", workloads)
              .encodePrettily());
      out.flush();
      return;
    }
    out.println(
        "Routing at "
            + instant
            + ", rebuilt from "
            + replay.applied()
            + " audit events: "
            + active.size()
            + " active intercepts.");
    if (active.isEmpty()) {
      out.flush();
      return;
    }
    Table table = new Table("WORKLOAD", "INTERCEPT", "OWNER", "MATCH", "TARGET", "SINCE");
    for (Intercept i : active.values()) {
      table.add(
          i.workload(),
          i.id(),
          i.owner(),
          Describe.rules(i.match()),
          i.target(),
          i.createdAt().toString());
    }
    table.print(out);
  }
}
