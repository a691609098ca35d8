package io.sidetrack.injector;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * The injected agent's resource requests and memory limit (Kubernetes quantities). Requests let a
 * HorizontalPodAutoscaler on CPU work (it needs a request on every container of the pod); the
 * memory limit must hold the agent's whole JVM, whose bounds are in {@code
 * bin/edge-agent.jvm-options} (heap up to 256 MB, metaspace 96 MB, code cache 48 MB, direct memory
 * 64 MB): {@link #DEFAULTS} leaves room for them.
 *
 * @param cpuRequest e.g. {@code 50m}
 * @param memoryRequest e.g. {@code 192Mi}
 * @param memoryLimit e.g. {@code 512Mi}
 */
public record AgentResources(String cpuRequest, String memoryRequest, String memoryLimit) {
  private static final Pattern QUANTITY =
      Pattern.compile("^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti|e[0-9]+)?$");

  /** What an agent gets unless told otherwise (after QUANTITY, which it needs). */
  public static final AgentResources DEFAULTS = new AgentResources("50m", "192Mi", "512Mi");

  public AgentResources {
    cpuRequest = quantity("cpu request", cpuRequest);
    memoryRequest = quantity("memory request", memoryRequest);
    memoryLimit = quantity("memory limit", memoryLimit);
  }

  private static String quantity(String what, String q) {
    requireNonNull(q, what);
    if (!QUANTITY.matcher(q).matches()) {
      throw new IllegalArgumentException(
          "the agent's " + what + " '" + q + "' is not a Kubernetes quantity (e.g. 50m, 192Mi)");
    }
    return q;
  }
}
