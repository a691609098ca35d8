package io.sidetrack.cli.up;

import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.cli.options.HostPort;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sidetrack demo-app} (hidden): the demo workload of {@code sidetrack up} on its own, the
 * sample workload of the compose stack where {@code hashicorp/http-echo} cannot be pulled.
 */
@Command(
    name = DemoAppCommand.NAME,
    hidden = true,
    mixinStandardHelpOptions = true,
    description = {
      "Run the demo workload alone: every request is answered 200 'TEXT: METHOD URI' with the"
          + " header x-served-by: cluster. The sample workload of the compose stack; runs until"
          + " stopped."
    })
public final class DemoAppCommand implements Callable<Integer> {
  public static final String NAME = "demo-app";

  @EnvVar
  @Option(names = "--listen", defaultValue = "0.0.0.0:8081", description = "HOST:PORT to serve on.")
  HostPort listen;

  @EnvVar
  @Option(
      names = "--text",
      defaultValue = DemoWorkload.DEFAULT_TEXT,
      description = "What it answers, before ': METHOD URI'.")
  String text;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    DemoWorkload app = DemoWorkload.start(listen.host(), listen.port(), text);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    app.close();
                  } catch (Exception e) {
                    // stopping anyway
                  }
                  stopped.countDown();
                },
                "stop-demo-app"));
    PrintWriter out = spec.commandLine().getOut();
    out.println("demo-app serving on " + listen.host() + ":" + app.port());
    out.flush();
    stopped.await();
    return 0;
  }
}
