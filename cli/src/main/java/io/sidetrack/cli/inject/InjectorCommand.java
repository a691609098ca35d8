package io.sidetrack.cli.inject;

import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.cli.options.HostPort;
import io.sidetrack.injector.Injector;
import io.sidetrack.injector.admission.AdmissionReviews;
import io.sidetrack.injector.webhook.WebhookConfig;
import io.sidetrack.injector.webhook.WebhookServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code sidetrack injector}: the mutating admission webhook that adds the edge agent. */
@Command(
    name = InjectorCommand.NAME,
    mixinStandardHelpOptions = true,
    description = {
      "Run the mutating admission webhook: kube-apiserver posts an AdmissionReview"
          + " (admission.k8s.io/v1) to https://--listen/mutate for each Pod, Deployment,"
          + " StatefulSet or ReplicaSet created or updated, and gets a JSON Patch adding the edge"
          + " agent when the pod carries sidetrack.io/inject: \"true\" (as 'sidetrack inject'"
          + " does; see docs/deploy/inject.md).",
      "Admission is never refused: an object that cannot be injected is allowed unchanged with a"
          + " warning. GET /ready answers 200 once serving.",
      "The certificate files are read again every 5 s; a changed pair that checks out serves new"
          + " connections.",
      "Every flag has an environment variable; flags win."
    })
public final class InjectorCommand implements Callable<Integer> {
  public static final String NAME = "injector";

  @EnvVar("SIDETRACK_INJECTOR_LISTEN")
  @Option(
      names = "--listen",
      defaultValue = WebhookConfig.DEFAULT_LISTEN,
      description = "HOST:PORT of the HTTPS listener.")
  HostPort listen;

  @EnvVar
  @Option(
      names = "--tls-cert",
      required = false,
      paramLabel = "FILE",
      description = "PEM certificate chain kube-apiserver checks (required).")
  Path tlsCert;

  @EnvVar
  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "PEM private key of --tls-cert, PKCS#8 or PKCS#1 (required).")
  Path tlsKey;

  @Mixin AgentOptions agent;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (tlsCert == null || tlsKey == null) {
      throw new ParameterException(
          spec.commandLine(),
          "--tls-cert (SIDETRACK_TLS_CERT) and --tls-key (SIDETRACK_TLS_KEY) are required:"
              + " kube-apiserver calls webhooks over HTTPS only");
    }
    AdmissionReviews reviews =
        new AdmissionReviews(new Injector(agent.toSettings(spec.commandLine())));
    WebhookServer server =
        WebhookServer.start(
            new WebhookConfig(
                listen.host(),
                listen.port(),
                tlsCert,
                tlsKey,
                WebhookConfig.DEFAULT_RELOAD_INTERVAL,
                WebhookConfig.DEFAULT_MAX_BODY_BYTES),
            reviews);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "stop-injector"));
    stopped.await();
    return 0;
  }
}
