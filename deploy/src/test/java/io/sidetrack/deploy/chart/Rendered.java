package io.sidetrack.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart rendered by {@code helm template} with one of its ci/ values files: the YAML text (also
 * written under target/helm-rendered/ for the schema validator) and its objects as maps.
 */
record Rendered(String valuesFile, Path file, List<Map<String, Object>> objects) {
  /** Release name and namespace of every rendering. */
  static final String RELEASE = "st";

  static final String NAMESPACE = "sidetrack";

  private static final Map<String, Rendered> CACHE = new ConcurrentHashMap<>();

  /** The chart rendered with ci/{@code valuesFile}, once per test JVM. */
  static Rendered of(String valuesFile) {
    return CACHE.computeIfAbsent(valuesFile, Rendered::render);
  }

  private static Rendered render(String valuesFile) {
    Tools.Run run =
        Tools.helm(
            "template",
            RELEASE,
            Tools.CHART.toString(),
            "--namespace",
            NAMESPACE,
            "--values",
            Tools.CHART.resolve("ci").resolve(valuesFile).toString());
    assertThat(run.exitCode()).as("helm template -f ci/%s:%n%s", valuesFile, run.output()).isZero();
    try {
      Path dir = Files.createDirectories(Tools.DEPLOY.resolve("target/helm-rendered"));
      Path file = dir.resolve(valuesFile);
      Files.writeString(file, run.output());
      return new Rendered(valuesFile, file, parse(run.output()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The objects of multi-document YAML. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> parse(String yaml) {
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Object doc : new Yaml(new LoaderOptions()).loadAll(yaml)) {
      if (doc != null) {
        objects.add((Map<String, Object>) doc);
      }
    }
    return List.copyOf(objects);
  }

  /** The objects of one kind. */
  List<Map<String, Object>> all(String kind) {
    return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
  }

  /** The one object of {@code kind} named {@code name} (in any namespace), if rendered. */
  Optional<Map<String, Object>> find(String kind, String name) {
    return all(kind).stream().filter(o -> name.equals(at(o, "metadata.name"))).findFirst();
  }

  /** The one object of {@code kind} named {@code name}; fails the test when it is missing. */
  Map<String, Object> get(String kind, String name) {
    return find(kind, name)
        .orElseThrow(
            () -> new AssertionError(kind + "/" + name + " not rendered with ci/" + valuesFile));
  }

  /** The workloads (Deployment, StatefulSet) of the rendering. */
  List<Map<String, Object>> workloads() {
    return objects.stream()
        .filter(o -> "Deployment".equals(o.get("kind")) || "StatefulSet".equals(o.get("kind")))
        .toList();
  }

  /** The value at a dotted path of plain keys, e.g. "spec.template.spec"; null when absent. */
  @SuppressWarnings("unchecked")
  static <T> T at(Object node, String path) {
    Object current = node;
    for (String key : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(key);
    }
    return (T) current;
  }

  /** The containers of a workload's pod template. */
  static List<Map<String, Object>> containers(Map<String, Object> workload) {
    List<Map<String, Object>> containers = at(workload, "spec.template.spec.containers");
    return containers == null ? List.of() : containers;
  }

  /** The only container of a workload. */
  static Map<String, Object> container(Map<String, Object> workload) {
    List<Map<String, Object>> containers = containers(workload);
    assertThat(containers).hasSize(1);
    return containers.get(0);
  }

  /** A container's args. */
  static List<String> args(Map<String, Object> container) {
    List<String> args = at(container, "args");
    return args == null ? List.of() : args;
  }

  /** The value of {@code --name=value} in a container's args, if there. */
  static Optional<String> flag(Map<String, Object> container, String name) {
    String prefix = name + "=";
    return args(container).stream()
        .filter(a -> a.startsWith(prefix))
        .map(a -> a.substring(prefix.length()))
        .findFirst();
  }

  /** A container's env entry named {@code name}, if there. */
  static Optional<Map<String, Object>> env(Map<String, Object> container, String name) {
    List<Map<String, Object>> env = at(container, "env");
    return env == null
        ? Optional.empty()
        : env.stream().filter(e -> name.equals(e.get("name"))).findFirst();
  }

  /** The pod volume named {@code name} of a workload. */
  static Map<String, Object> volume(Map<String, Object> workload, String name) {
    List<Map<String, Object>> volumes = at(workload, "spec.template.spec.volumes");
    return volumes.stream()
        .filter(v -> name.equals(v.get("name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }
}
