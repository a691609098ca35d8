package io.sidetrack.injector.internal;

import io.sidetrack.injector.Annotations;

/** The workload an injected agent fronts, and where that name came from. */
public final class WorkloadNames {
  private WorkloadNames() {}

  /** The name of the Pod's controller (its ownerReference with controller: true), or null. */
  private static String controllerOf(PodTarget pod) {
    for (var ref : pod.object().path("metadata").path("ownerReferences")) {
      if (ref.path("controller").asBoolean(false) && !ref.path("name").asText("").isEmpty()) {
        return ref.path("name").asText();
      }
    }
    return null;
  }

  /**
   * The annotation {@link Annotations#WORKLOAD}, else the pod's label {@code
   * app.kubernetes.io/name}, else its label {@code app}, else the name of the object (for a Pod
   * made by a ReplicaSet, its generateName without the pod-template-hash, which is the Deployment's
   * name). May be empty or invalid: the caller checks.
   */
  public static String of(PodTarget pod) {
    for (String candidate :
        new String[] {
          pod.annotation(Annotations.WORKLOAD),
          pod.label("app.kubernetes.io/name"),
          pod.label("app")
        }) {
      if (candidate != null && !candidate.isBlank()) {
        return candidate;
      }
    }
    String name = pod.name();
    if (!pod.kind().equals("Pod")) {
      return name;
    }
    String owner = controllerOf(pod);
    String hash = pod.label("pod-template-hash");
    if (owner != null && hash != null && owner.endsWith("-" + hash)) {
      // made by a Deployment's ReplicaSet: the Deployment's name
      return owner.substring(0, owner.length() - hash.length() - 1);
    }
    if (owner != null) {
      // a StatefulSet's (ledger-0), or a bare ReplicaSet's pod: the owner's name
      return owner;
    }
    if (pod.object().path("metadata").path("name").asText("").isEmpty()
        && hash != null
        && name.endsWith("-" + hash)) {
      return name.substring(0, name.length() - hash.length() - 1);
    }
    return name;
  }
}
