package io.sidetrack.cli.audit;

import io.sidetrack.cli.context.Connection;
import io.sidetrack.core.InterceptValidator;
import io.sidetrack.core.audit.AuditRecord;
import io.sidetrack.stream.query.InterceptJson;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sidetrack audit}: the routing history from {@code sidetrack.audit}. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = {
      "Show the routing history: every decision registry-stream made (CREATED, UPDATED,"
          + " REJECTED, EXPIRED, REMOVED), who caused it and why.",
      "Times are ISO-8601 (2026-11-25T10:00:00Z, or local 2026-11-25T11:00) or a time ago"
          + " (30m, 2h, 7d). Reading starts at --since by timestamp lookup, not by scanning."
    })
public final class AuditCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Connection connection;

  @Option(names = "--workload", description = "Only this workload's events.")
  String workload;

  @Option(names = "--owner", description = "Only events about this developer's intercepts.")
  String owner;

  @Option(
      names = "--since",
      defaultValue = "24h",
      description = "From this time (default ${DEFAULT-VALUE} ago).")
  String since;

  @Option(names = "--until", description = "Up to this time (default: now).")
  String until;

  @Option(names = "--follow", description = "Keep printing new events until Ctrl-C.")
  boolean follow;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "table, or json (one JSON object per line). Default ${DEFAULT-VALUE}.")
  OutputFormat output;

  @Override
  public Integer call() throws Exception {
    Instant now = Instant.now();
    Instant from = TimeArg.parsePast("--since", since, now);
    Instant to = until == null ? null : TimeArg.parse("--until", until, now);
    if (to != null && to.isBefore(from)) {
      throw new IllegalArgumentException("--until " + until + " is before --since " + since);
    }
    if (follow && to != null) {
      throw new IllegalArgumentException("--follow and --until do not go together");
    }
    if (workload != null && !InterceptValidator.isValidWorkload(workload)) {
      throw new IllegalArgumentException("invalid --workload '" + workload + "'");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (AuditLog log = AuditLog.open(connection)) {
      if (!follow) {
        List<AuditRecord> events =
            log.readSorted(from, to, workload).stream().filter(this::wanted).toList();
        if (events.isEmpty() && workload != null && !log.knowsWorkload(workload)) {
          throw new IllegalArgumentException(
              "unknown workload '" + workload + "': no audit event names it");
        }
        print(events, out);
        return 0;
      }
      AtomicBoolean running = new AtomicBoolean(true);
      CountDownLatch done = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                running.set(false);
                try {
                  done.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      Runtime.getRuntime().addShutdownHook(hook);
      if (output == OutputFormat.table) {
        header().print(out);
      }
      try {
        log.read(
            from,
            null,
            workload,
            true,
            running::get,
            e -> {
              if (wanted(e)) {
                printOne(e, out);
              }
            });
      } finally {
        done.countDown();
      }
      return 0;
    }
  }

  private boolean wanted(AuditRecord e) {
    return owner == null || owner.equals(e.owner()) || owner.equals(e.actor());
  }

  private void print(List<AuditRecord> events, PrintWriter out) {
    if (output == OutputFormat.json) {
      events.forEach(e -> out.println(json(e).encode()));
      out.flush();
      return;
    }
    Table table = header();
    events.forEach(e -> table.add(row(e)));
    table.print(out);
  }

  private void printOne(AuditRecord e, PrintWriter out) {
    if (output == OutputFormat.json) {
      out.println(json(e).encode());
    } else {
      Table t = new Table(row(e));
      t.print(out);
    }
    out.flush();
  }

  private static Table header() {
    return new Table("TIME", "WORKLOAD", "KIND", "INTERCEPT", "OWNER", "ACTOR", "DETAIL");
  }

  private static String[] row(AuditRecord e) {
    String detail =
        switch (e.kind()) {
          case CREATED, UPDATED ->
              Describe.rules(e.after().match())
                  + (e.after().topics().isEmpty()
                      ? ""
                      : " topics " + String.join(",", e.after().topics()))
                  + " -> "
                  + e.after().target();
          case REJECTED, EXPIRED -> e.reason() == null ? "" : e.reason();
          case REMOVED -> "";
        };
    return new String[] {
      e.time().toString(),
      e.workload(),
      e.kind().name(),
      e.interceptId(),
      e.owner(),
      e.actor(),
      detail
    };
  }

  static JsonObject json(AuditRecord e) {
    JsonObject json =
        new JsonObject()
            .put("time", e.time().toString())
            .put("kind", e.kind().name())
            .put("workload", e.workload())
            .put("interceptId", e.interceptId())
            .put("owner", e.owner())
            .put("actor", e.actor());
    if (e.reason() != null) {
      json.put("reason", e.reason());
    }
    if (e.before() != null) {
      json.put("before", InterceptJson.of(e.before()));
    }
    if (e.after() != null) {
      json.put("after", InterceptJson.of(e.after()));
    }
    return json;
  }
}
