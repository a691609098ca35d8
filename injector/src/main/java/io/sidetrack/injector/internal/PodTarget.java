package io.sidetrack.injector.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.Set;

/**
 * Where an object keeps the pod it runs: a Pod is one, a Deployment, StatefulSet or ReplicaSet has
 * it in {@code spec.template}. Found in the object given (the nodes returned are that object's, to
 * change in place).
 *
 * @param kind the object's kind
 * @param name the object's name, else its generateName without the trailing hyphen, else empty
 * @param object the whole object
 * @param podMetadata the pod's metadata (created empty in {@code object} when missing)
 * @param podSpec the pod's spec
 */
public record PodTarget(
    String kind, String name, ObjectNode object, ObjectNode podMetadata, ObjectNode podSpec) {
  /** The kinds whose pods are injected. */
  public static final Set<String> INJECTED_KINDS =
      Set.of("Pod", "Deployment", "StatefulSet", "ReplicaSet");

  /**
   * The pod of {@code object}, or empty when it has none (a Service, a ConfigMap: not a kind that
   * runs pods, or a malformed one).
   */
  public static Optional<PodTarget> of(ObjectNode object) {
    String kind = object.path("kind").asText("");
    JsonNode metadata = object.path("metadata");
    String name = metadata.path("name").asText("");
    if (name.isEmpty()) {
      name = metadata.path("generateName").asText("").replaceAll("-+$", "");
    }
    if (kind.equals("Pod")) {
      if (!(object.get("spec") instanceof ObjectNode spec)) {
        return Optional.empty();
      }
      return Optional.of(new PodTarget(kind, name, object, objectAt(object, "metadata"), spec));
    }
    if (!(object.get("spec") instanceof ObjectNode spec)
        || !(spec.get("template") instanceof ObjectNode template)
        || !(template.get("spec") instanceof ObjectNode podSpec)) {
      return Optional.empty();
    }
    return Optional.of(new PodTarget(kind, name, object, objectAt(template, "metadata"), podSpec));
  }

  /** Whether the injector adds the agent to this kind's pods. */
  public boolean injected() {
    return INJECTED_KINDS.contains(kind);
  }

  /** The pod's annotation {@code key}, or {@code null}. */
  public String annotation(String key) {
    JsonNode v = podMetadata.path("annotations").get(key);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** The pod's label {@code key}, or {@code null}. */
  public String label(String key) {
    JsonNode v = podMetadata.path("labels").get(key);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** Sets the pod's annotation {@code key}. */
  public void annotate(String key, String value) {
    objectAt(podMetadata, "annotations").put(key, value);
  }

  /** {@code parent.field} as an object, made (or replacing a null) when it is not one. */
  static ObjectNode objectAt(ObjectNode parent, String field) {
    if (parent.get(field) instanceof ObjectNode o) {
      return o;
    }
    return parent.putObject(field);
  }
}
