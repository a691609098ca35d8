package io.sidetrack.cli.dev;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sidetrack leave ID}: remove one of your intercepts. */
@Command(
    name = "leave",
    mixinStandardHelpOptions = true,
    description = {
      "Remove one of your intercepts: its requests go back to the workload's own pods, and the"
          + " 'sidetrack intercept' holding it ends.",
      "Ctrl-C in 'sidetrack intercept' does the same for its own intercept."
    })
public final class LeaveCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ID", description = "The intercept id ('sidetrack list').")
  String id;

  @Mixin RouterOptions router;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    JsonObject done =
        new RouterApi(router)
            .delete("/v1/intercepts/" + URLEncoder.encode(id, StandardCharsets.UTF_8));
    out.printf(
        "Removed intercept %s of %s; its requests go to the workload's pods again.%n",
        done.getString("id"), done.getString("workload"));
    out.flush();
    return 0;
  }
}
