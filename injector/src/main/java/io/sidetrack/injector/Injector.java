package io.sidetrack.injector;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidetrack.core.InterceptValidator;
import io.sidetrack.injector.internal.AgentContainer;
import io.sidetrack.injector.internal.JsonPatches;
import io.sidetrack.injector.internal.PodTarget;
import io.sidetrack.injector.internal.PortTakeover;
import io.sidetrack.injector.internal.WorkloadNames;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Adds the edge agent to the pod of a Kubernetes object (a Pod, or the pod template of a
 * Deployment, StatefulSet or ReplicaSet): the {@code sidetrack-agent} container, its volumes, the
 * takeover of the app's port ({@link io.sidetrack.injector.internal.PortTakeover}) and the {@link
 * Annotations#INJECTED} annotation. Pure: JSON in, JSON out, no I/O; the same for {@code sidetrack
 * inject} and the admission webhook.
 *
 * <p>Opt-in ({@link Annotations#INJECT} {@code "true"} on the pod) and idempotent: a pod with the
 * annotation {@link Annotations#INJECTED} or a container named {@code sidetrack-agent} is left
 * alone.
 */
public final class Injector {
  private final AgentSettings settings;

  public Injector(AgentSettings settings) {
    this.settings = requireNonNull(settings, "settings");
  }

  /** What every injected agent gets. */
  public AgentSettings settings() {
    return settings;
  }

  /** {@link #inject(JsonNode, boolean)} for opted-in pods only. */
  public Injection inject(JsonNode object) {
    return inject(object, false);
  }

  /**
   * The agent added to {@code object}'s pod, which is not changed.
   *
   * @param ignoreOptIn inject a pod without {@link Annotations#INJECT} too ({@code sidetrack inject
   *     --all}); one annotated with another value than {@code "true"} still is not
   */
  public Injection inject(JsonNode object, boolean ignoreOptIn) {
    requireNonNull(object, "object");
    if (!(object instanceof ObjectNode original)) {
      return new Injection.Skipped("not an object");
    }
    ObjectNode copy = original.deepCopy();
    Optional<PodTarget> found = PodTarget.of(copy);
    if (found.isEmpty()) {
      return new Injection.Skipped("runs no pod");
    }
    PodTarget pod = found.get();
    String optIn = pod.annotation(Annotations.INJECT);
    boolean optedIn = "true".equals(optIn) || (optIn == null && ignoreOptIn);
    if (!optedIn) {
      return new Injection.Skipped("not opted in (" + Annotations.INJECT + ": \"true\")");
    }
    if (!pod.injected()) {
      return new Injection.Refused(
          pod.kind()
              + " is not injected: only Deployment, StatefulSet, ReplicaSet and Pod"
              + (pod.kind().equals("Job") || pod.kind().equals("CronJob")
                  ? " (a Job's pod must end, and the agent does not)"
                  : ""));
    }
    if (pod.annotation(Annotations.INJECTED) != null || hasAgent(pod.podSpec())) {
      return new Injection.Skipped("already injected");
    }
    if (!(pod.podSpec().get("containers") instanceof ArrayNode containers)
        || containers.isEmpty()) {
      return new Injection.Refused("the pod has no containers");
    }
    if (pod.podSpec().path("hostNetwork").asBoolean(false)) {
      return new Injection.Refused(
          "the pod uses hostNetwork: the agent's ports would be the node's");
    }
    String workload = WorkloadNames.of(pod);
    if (!InterceptValidator.isValidWorkload(workload)) {
      return new Injection.Refused(
          "workload name '"
              + workload
              + "' is not an RFC 1123 label (lower-case letters, digits, '-', at most 63): set "
              + Annotations.WORKLOAD);
    }
    PortTakeover takeover;
    try {
      takeover = PortTakeover.plan(pod);
    } catch (PortTakeover.Refusal e) {
      return new Injection.Refused(e.getMessage());
    }
    ArrayNode volumes = AgentContainer.volumes(settings);
    Set<String> volumeNames = new HashSet<>();
    pod.podSpec().path("volumes").forEach(v -> volumeNames.add(v.path("name").asText()));
    for (JsonNode v : volumes) {
      if (volumeNames.contains(v.path("name").asText())) {
        return new Injection.Refused(
            "the pod already has a volume named '" + v.path("name").asText() + "'");
      }
    }

    takeover.applyTo(pod);
    containers.add(AgentContainer.container(settings, workload, takeover));
    ArrayNode podVolumes =
        pod.podSpec().get("volumes") instanceof ArrayNode a ? a : pod.podSpec().putArray("volumes");
    podVolumes.addAll(volumes);
    pod.annotate(Annotations.INJECTED, settings.version());
    return new Injection.Injected(
        copy,
        JsonPatches.diff(original, copy),
        "workload '" + workload + "': " + takeover.summary());
  }

  private static boolean hasAgent(ObjectNode podSpec) {
    for (JsonNode c : podSpec.path("containers")) {
      if (c.path("name").asText().equals(AgentSettings.CONTAINER)) {
        return true;
      }
    }
    return false;
  }
}
