package io.sidetrack.injector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidetrack.testkit.JsonPatchApplier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
public class InjectorTest {
  static final ObjectMapper JSON = new ObjectMapper();
  public static final AgentSettings SETTINGS =
      new AgentSettings(
          "localhost/sidetrack:1.2.3",
          "kafka:9092",
          "http://registry:8080/apis/ccompat/v7",
          "sidetrack-trust",
          null,
          null,
          "",
          "1.2.3");
  final Injector injector = new Injector(SETTINGS);

  /** A Deployment whose app container has the given port entry, env, probes and annotations. */
  public static ObjectNode deployment(String annotations, String ports, String extra) {
    return (ObjectNode)
        parse(
            """
            {"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"orders","namespace":"shop"},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"orders"}},
              "template":{"metadata":{"labels":{"app":"orders"},"annotations":{%s}},
               "spec":{"containers":[{"name":"app","image":"orders:1","ports":[%s]%s}]}}}}
            """
                .formatted(annotations, ports, extra));
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static ObjectNode podSpec(JsonNode object) {
    JsonNode spec = object.path("spec");
    return (ObjectNode) (spec.has("template") ? spec.path("template").path("spec") : spec);
  }

  static JsonNode container(JsonNode object, String name) {
    for (JsonNode c : podSpec(object).path("containers")) {
      if (c.path("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no container " + name);
  }

  static String env(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (e.path("name").asText().equals(name)) {
        return e.path("value").asText(null);
      }
    }
    return null;
  }

  Injection.Injected injected(JsonNode object) {
    Injection result = injector.inject(object);
    assertThat(result).isInstanceOf(Injection.Injected.class);
    Injection.Injected injected = (Injection.Injected) result;
    // the patch turns the input into the patched object, as kube-apiserver applies it
    assertThat(JsonPatchApplier.apply(object, injected.patch())).isEqualTo(injected.object());
    return injected;
  }

  @Test
  void namedPortIsTakenByNameAndTheAppPortRenamed() {
    ObjectNode in =
        deployment(
            "\"sidetrack.io/inject\":\"true\"", "{\"name\":\"http\",\"containerPort\":8080}", "");
    ObjectNode before = in.deepCopy();
    JsonNode out = injected(in).object();

    assertThat(in).as("input unchanged").isEqualTo(before);
    JsonNode app = container(out, "app");
    assertThat(app.path("ports").get(0).path("name").asText()).isEqualTo("app-http");
    assertThat(app.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);
    JsonNode agent = container(out, AgentSettings.CONTAINER);
    assertThat(agent.path("image").asText()).isEqualTo("localhost/sidetrack:1.2.3");
    assertThat(agent.path("args").get(0).asText()).isEqualTo("edge-agent");
    assertThat(agent.path("ports").get(0).path("name").asText()).isEqualTo("http");
    assertThat(agent.path("ports").get(0).path("containerPort").asInt())
        .isEqualTo(AgentSettings.AGENT_PORT);
    assertThat(agent.path("ports").get(1).path("name").asText()).isEqualTo("sidetrack-admin");
    assertThat(agent.path("ports").get(1).path("containerPort").asInt()).isEqualTo(9901);
    assertThat(env(agent, "SIDETRACK_LISTEN")).isEqualTo("0.0.0.0:15080");
    assertThat(env(agent, "SIDETRACK_APP")).isEqualTo("127.0.0.1:8080");
    assertThat(env(agent, "SIDETRACK_WORKLOAD")).isEqualTo("orders");
    assertThat(env(agent, "KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("kafka:9092");
    assertThat(env(agent, "SIDETRACK_TRUSTED_ROUTER_KEYS"))
        .isEqualTo("/etc/sidetrack/trust/router-signing.pub.pem");
    assertThat(env(agent, "SIDETRACK_KAFKA_CONFIG")).isNull();
    assertThat(env(agent, "SIDETRACK_TOPIC_PREFIX")).isNull();
    assertThat(agent.path("readinessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/ready");
    assertThat(agent.path("readinessProbe").path("httpGet").path("port").asText())
        .isEqualTo("sidetrack-admin");
    assertThat(agent.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(podSpec(out).path("volumes").findValuesAsText("name"))
        .contains("sidetrack-agent-tmp", "sidetrack-trust");
    assertThat(
            out.path("spec")
                .path("template")
                .path("metadata")
                .path("annotations")
                .path(Annotations.INJECTED)
                .asText())
        .isEqualTo("1.2.3");
  }

  /** An HPA on CPU needs a request on every container; the limit holds the agent's JVM bounds. */
  @Test
  void theAgentGetsRequestsAndAMemoryLimitDefaultOrGiven() {
    JsonNode byDefault = container(injected(injector), AgentSettings.CONTAINER).path("resources");
    assertThat(byDefault.path("requests").path("cpu").asText()).isEqualTo("50m");
    assertThat(byDefault.path("requests").path("memory").asText()).isEqualTo("192Mi");
    assertThat(byDefault.path("limits").path("memory").asText()).isEqualTo("512Mi");

    Injector sized =
        new Injector(
            new AgentSettings(
                "img",
                "k:9092",
                "http://r",
                "trust",
                null,
                null,
                "",
                "1",
                new AgentResources("100m", "256Mi", "1Gi")));
    JsonNode given = container(injected(sized), AgentSettings.CONTAINER).path("resources");
    assertThat(given.path("requests").path("cpu").asText()).isEqualTo("100m");
    assertThat(given.path("requests").path("memory").asText()).isEqualTo("256Mi");
    assertThat(given.path("limits").path("memory").asText()).isEqualTo("1Gi");
  }

  @Test
  void aResourceThatIsNoQuantityIsRefusedNamingIt() {
    assertThatThrownBy(() -> new AgentResources("50m", "lots", "512Mi"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "the agent's memory request 'lots' is not a Kubernetes quantity (e.g. 50m, 192Mi)");
  }

  private static JsonNode injected(Injector injector) {
    return ((Injection.Injected)
            injector.inject(
                deployment(
                    "\"sidetrack.io/inject\":\"true\"",
                    "{\"name\":\"http\",\"containerPort\":8080}",
                    "")))
        .object();
  }

  @Test
  void optionalSecretAndCaAreMountedWhenNamed() {
    Injector withAll =
        new Injector(
            new AgentSettings(
                "img", "k:9092", "http://r", "trust", "kafka-secret", "router-ca", "team-a.", "1"));
    JsonNode out =
        ((Injection.Injected)
                withAll.inject(
                    deployment(
                        "\"sidetrack.io/inject\":\"true\"",
                        "{\"name\":\"http\",\"containerPort\":8080}",
                        "")))
            .object();
    JsonNode agent = container(out, AgentSettings.CONTAINER);
    assertThat(env(agent, "SIDETRACK_KAFKA_CONFIG"))
        .isEqualTo("/etc/sidetrack/kafka/kafka.properties");
    assertThat(env(agent, "SIDETRACK_ROUTER_CA")).isEqualTo("/etc/sidetrack/router-ca/ca.crt");
    assertThat(env(agent, "SIDETRACK_TOPIC_PREFIX")).isEqualTo("team-a.");
    assertThat(podSpec(out).toString())
        .contains("\"secretName\":\"kafka-secret\"")
        .contains("\"name\":\"router-ca\"");
  }

  @Test
  void unnamedPortWithoutEnvAnnotationIsRefusedAndUntouched() {
    ObjectNode in = deployment("\"sidetrack.io/inject\":\"true\"", "{\"containerPort\":8080}", "");
    ObjectNode before = in.deepCopy();
    Injection result = injector.inject(in);
    assertThat(result).isInstanceOf(Injection.Refused.class);
    assertThat(((Injection.Refused) result).reason())
        .contains("has no name")
        .contains(Annotations.APP_PORT_ENV);
    assertThat(in).isEqualTo(before);
  }

  @Test
  void numericPortWithEnvAnnotationMovesTheAppAndTheAgentTakesTheNumber() {
    ObjectNode in =
        deployment(
            "\"sidetrack.io/inject\":\"true\",\"sidetrack.io/app-port-env\":\"PORT\"",
            "{\"containerPort\":8080}",
            ",\"env\":[{\"name\":\"PORT\",\"value\":\"8080\"},{\"name\":\"OTHER\",\"value\":\"x\"}]");
    JsonNode out = injected(in).object();
    JsonNode app = container(out, "app");
    assertThat(app.path("ports").get(0).path("containerPort").asInt())
        .isEqualTo(AgentSettings.MOVED_APP_PORT);
    assertThat(env(app, "PORT")).isEqualTo("15081");
    assertThat(env(app, "OTHER")).isEqualTo("x");
    JsonNode agent = container(out, AgentSettings.CONTAINER);
    assertThat(agent.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);
    assertThat(agent.path("ports").get(0).has("name")).isFalse();
    assertThat(env(agent, "SIDETRACK_LISTEN")).isEqualTo("0.0.0.0:8080");
    assertThat(env(agent, "SIDETRACK_APP")).isEqualTo("127.0.0.1:15081");
  }

  @Test
  void numericPortWithEnvAnnotationAddsTheVariableWhenMissing() {
    ObjectNode in =
        deployment(
            "\"sidetrack.io/inject\":\"true\",\"sidetrack.io/app-port-env\":\"SERVER_PORT\"",
            "{\"name\":\"web\",\"containerPort\":8080}",
            "");
    JsonNode out = injected(in).object();
    JsonNode app = container(out, "app");
    assertThat(env(app, "SERVER_PORT")).isEqualTo("15081");
    assertThat(app.path("ports").get(0).path("name").asText()).isEqualTo("app-web");
    JsonNode agent = container(out, AgentSettings.CONTAINER);
    assertThat(agent.path("ports").get(0).path("name").asText()).isEqualTo("web");
    assertThat(agent.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);
  }

  @Test
  void probesOnTheTakenPortKeepReachingTheApp() {
    String probes =
        ",\"readinessProbe\":{\"httpGet\":{\"path\":\"/ready\",\"port\":\"http\"}},"
            + "\"livenessProbe\":{\"tcpSocket\":{\"port\":8080}},"
            + "\"startupProbe\":{\"httpGet\":{\"path\":\"/s\",\"port\":9000}}";
    // rename: by name follows the app's new name, by number stays (the app keeps its number)
    JsonNode renamed =
        injected(
                deployment(
                    "\"sidetrack.io/inject\":\"true\"",
                    "{\"name\":\"http\",\"containerPort\":8080},{\"name\":\"mgmt\",\"containerPort\":9000}",
                    probes))
            .object();
    JsonNode app = container(renamed, "app");
    assertThat(app.at("/readinessProbe/httpGet/port").asText()).isEqualTo("app-http");
    assertThat(app.at("/livenessProbe/tcpSocket/port").asInt()).isEqualTo(8080);
    assertThat(app.at("/startupProbe/httpGet/port").asInt()).isEqualTo(9000);

    // move: both follow the app to its new number; another port is left alone
    JsonNode moved =
        injected(
                deployment(
                    "\"sidetrack.io/inject\":\"true\",\"sidetrack.io/app-port-env\":\"PORT\"",
                    "{\"name\":\"http\",\"containerPort\":8080},{\"name\":\"mgmt\",\"containerPort\":9000}",
                    probes))
            .object();
    app = container(moved, "app");
    assertThat(app.at("/readinessProbe/httpGet/port").asInt()).isEqualTo(15081);
    assertThat(app.at("/livenessProbe/tcpSocket/port").asInt()).isEqualTo(15081);
    assertThat(app.at("/startupProbe/httpGet/port").asInt()).isEqualTo(9000);
  }

  @Test
  void portAnnotationPicksAnotherPort() {
    JsonNode out =
        injected(
                deployment(
                    "\"sidetrack.io/inject\":\"true\",\"sidetrack.io/port\":\"api\"",
                    "{\"name\":\"metrics\",\"containerPort\":9090},{\"name\":\"api\",\"containerPort\":8080}",
                    ""))
            .object();
    JsonNode app = container(out, "app");
    assertThat(app.path("ports").get(0).path("name").asText()).isEqualTo("metrics");
    assertThat(app.path("ports").get(1).path("name").asText()).isEqualTo("app-api");
    assertThat(env(container(out, AgentSettings.CONTAINER), "SIDETRACK_APP"))
        .isEqualTo("127.0.0.1:8080");
  }

  @Test
  void longPortNameIsCutToAValidName() {
    JsonNode out =
        injected(
                deployment(
                    "\"sidetrack.io/inject\":\"true\"",
                    "{\"name\":\"orders-http-api\",\"containerPort\":8080}",
                    ""))
            .object();
    String name = container(out, "app").path("ports").get(0).path("name").asText();
    assertThat(name).hasSizeLessThanOrEqualTo(15).startsWith("app-").doesNotEndWith("-");
  }

  @Test
  void secondPassChangesNothing() {
    ObjectNode in =
        deployment(
            "\"sidetrack.io/inject\":\"true\"", "{\"name\":\"http\",\"containerPort\":8080}", "");
    JsonNode once = injected(in).object();
    Injection again = injector.inject(once);
    assertThat(again).isInstanceOf(Injection.Skipped.class);
    assertThat(((Injection.Skipped) again).reason()).contains("already injected");

    // the container alone (annotation removed by hand) also counts
    ObjectNode stripped = (ObjectNode) once.deepCopy();
    ((ObjectNode) stripped.at("/spec/template/metadata/annotations")).remove(Annotations.INJECTED);
    assertThat(injector.inject(stripped)).isInstanceOf(Injection.Skipped.class);
  }

  @Test
  void notOptedInIsSkipped() {
    for (String annotations : List.of("", "\"sidetrack.io/inject\":\"false\"")) {
      ObjectNode in = deployment(annotations, "{\"name\":\"http\",\"containerPort\":8080}", "");
      assertThat(injector.inject(in)).isInstanceOf(Injection.Skipped.class);
    }
    ObjectNode none = deployment("", "{\"name\":\"http\",\"containerPort\":8080}", "");
    assertThat(injector.inject(none, true)).as("--all").isInstanceOf(Injection.Injected.class);
    ObjectNode no =
        deployment(
            "\"sidetrack.io/inject\":\"false\"", "{\"name\":\"http\",\"containerPort\":8080}", "");
    assertThat(injector.inject(no, true)).isInstanceOf(Injection.Skipped.class);
  }

  @Test
  void otherKindsAreNeverTouched() {
    JsonNode service =
        parse(
            """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"orders",
             "annotations":{"sidetrack.io/inject":"true"}},
             "spec":{"ports":[{"port":80,"targetPort":"http"}]}}
            """);
    assertThat(injector.inject(service, true)).isInstanceOf(Injection.Skipped.class);
  }

  @Test
  void podIsInjectedAndItsWorkloadComesFromItsReplicaSetName() {
    JsonNode pod =
        parse(
            """
            {"apiVersion":"v1","kind":"Pod",
             "metadata":{"generateName":"orders-7d9f8c6b5-","namespace":"shop",
              "labels":{"pod-template-hash":"7d9f8c6b5"},
              "annotations":{"sidetrack.io/inject":"true"}},
             "spec":{"containers":[{"name":"app","image":"orders:1",
              "ports":[{"name":"http","containerPort":8080}]}]}}
            """);
    JsonNode out = injected(pod).object();
    assertThat(env(container(out, AgentSettings.CONTAINER), "SIDETRACK_WORKLOAD"))
        .isEqualTo("orders");
    assertThat(out.at("/metadata/annotations/sidetrack.io~1injected").asText()).isEqualTo("1.2.3");
  }

  @Test
  void aStatefulSetsPodWithoutLabelsIsNamedAfterTheStatefulSet() {
    JsonNode pod =
        parse(
            """
            {"apiVersion":"v1","kind":"Pod",
             "metadata":{"name":"ledger-0","namespace":"shop",
              "labels":{"statefulset.kubernetes.io/pod-name":"ledger-0"},
              "annotations":{"sidetrack.io/inject":"true"},
              "ownerReferences":[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"ledger",
               "uid":"u","controller":true}]},
             "spec":{"containers":[{"name":"db","image":"ledger:1",
              "ports":[{"name":"grpc","containerPort":7000}]}]}}
            """);
    JsonNode out = injected(pod).object();
    assertThat(env(container(out, AgentSettings.CONTAINER), "SIDETRACK_WORKLOAD"))
        .isEqualTo("ledger");
  }

  @Test
  void statefulSetIsInjectedAndTheWorkloadAnnotationWins() {
    JsonNode sts =
        parse(
            """
            {"apiVersion":"apps/v1","kind":"StatefulSet",
             "metadata":{"name":"ledger"},
             "spec":{"serviceName":"ledger","selector":{"matchLabels":{"app.kubernetes.io/name":"ledger"}},
              "template":{"metadata":{"labels":{"app.kubernetes.io/name":"ledger"},
                "annotations":{"sidetrack.io/inject":"true","sidetrack.io/workload":"ledger-v2"}},
               "spec":{"volumes":[{"name":"data","emptyDir":{}}],
                "containers":[{"name":"db","image":"ledger:1",
                 "ports":[{"name":"grpc","containerPort":7000}]}]}}}}
            """);
    JsonNode out = injected(sts).object();
    assertThat(env(container(out, AgentSettings.CONTAINER), "SIDETRACK_WORKLOAD"))
        .isEqualTo("ledger-v2");
    List<String> volumes = new ArrayList<>();
    podSpec(out).path("volumes").forEach(v -> volumes.add(v.path("name").asText()));
    assertThat(volumes).containsExactly("data", "sidetrack-agent-tmp", "sidetrack-trust");
  }

  @Test
  void refusesWhatCannotWork() {
    assertThat(
            injector.inject(
                deployment(
                    "\"sidetrack.io/inject\":\"true\"",
                    "{\"name\":\"http\",\"containerPort\":8080},{\"name\":\"x\",\"containerPort\":9901}",
                    "")))
        .isInstanceOf(Injection.Refused.class);
    assertThat(
            injector.inject(
                deployment(
                    "\"sidetrack.io/inject\":\"true\",\"sidetrack.io/port\":\"nope\"",
                    "{\"name\":\"http\",\"containerPort\":8080}",
                    "")))
        .isInstanceOf(Injection.Refused.class);
    assertThat(
            injector.inject(
                deployment(
                    "\"sidetrack.io/inject\":\"true\"",
                    "{\"name\":\"dns\",\"containerPort\":53,\"protocol\":\"UDP\"}",
                    "")))
        .isInstanceOf(Injection.Refused.class);
    assertThat(
            injector.inject(
                deployment(
                    "\"sidetrack.io/inject\":\"true\",\"sidetrack.io/workload\":\"Not_Valid\"",
                    "{\"name\":\"http\",\"containerPort\":8080}",
                    "")))
        .isInstanceOf(Injection.Refused.class);
  }
}
