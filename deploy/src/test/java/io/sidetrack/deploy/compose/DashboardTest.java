package io.sidetrack.deploy.compose;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The compose stack's Grafana dashboard reads metrics the components really serve: the names each
 * one served at {@code /metrics} in a running stack (src/test/resources/metrics, captured by
 * compose/capture-metrics.sh), which in turn must match the meters the code registers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DashboardTest {
  private static final Map<String, String> MODULES =
      Map.of("edge-agent", "edge-agent", "router", "router", "registry-stream", "registry-stream");

  /** A meter's name where the code builds it: {@code Counter.builder("sidetrack.x")}. */
  private static final Pattern BUILDER =
      Pattern.compile(
          "(?:Counter|Gauge|Timer|DistributionSummary|FunctionCounter|TimeGauge)\\.builder\\(\\s*\"([^\"]+)\"");

  @Test
  void dashboardIsProvisionedGrafanaJsonOnThePrometheusDataSource() throws IOException {
    Dashboard dashboard = Dashboard.read();
    JsonObject json = dashboard.json();
    assertThat(json.getString("uid")).isEqualTo("sidetrack");
    assertThat(dashboard.panels()).hasSizeGreaterThanOrEqualTo(10);
    for (JsonObject panel : dashboard.panels()) {
      assertThat(panel.getString("title")).isNotBlank();
      assertThat(panel.getJsonObject("datasource").getString("uid")).isEqualTo("prometheus");
      assertThat(panel.getJsonArray("targets")).as(panel.getString("title")).isNotEmpty();
    }
    String datasources =
        Files.readString(
            Dashboard.ROOT.resolve("compose/grafana/provisioning/datasources/prometheus.yml"));
    assertThat(datasources).contains("uid: prometheus").contains("url: http://prometheus:9090");
    String provider =
        Files.readString(
            Dashboard.ROOT.resolve("compose/grafana/provisioning/dashboards/sidetrack.yml"));
    assertThat(provider).contains("path: /var/lib/grafana/dashboards");
    assertThat(Files.readString(Dashboard.ROOT.resolve("compose/docker-compose.yml")))
        .contains("./grafana/dashboards:/var/lib/grafana/dashboards:ro");
  }

  @Test
  void everyMetricTheDashboardReadsIsOneAComponentServes() throws IOException {
    Set<String> served = new TreeSet<>();
    for (String component : MODULES.keySet()) {
      served.addAll(captured(component));
    }
    Set<String> read = Dashboard.read().metricNames();
    assertThat(read)
        .contains(
            "sidetrack_agent_requests_total",
            "sidetrack_router_relayed_total",
            "sidetrack_registry_decisions_total");
    assertThat(served).containsAll(read);
  }

  @Test
  void dashboardCoversEveryMeterTheComponentsRegister() throws IOException {
    Set<String> read = Dashboard.read().metricNames();
    for (String module : MODULES.values()) {
      for (String meter : registeredMeters(module)) {
        assertThat(read)
            .as("the dashboard reads %s (%s)", meter, module)
            .anyMatch(
                name ->
                    name.equals(prometheus(meter)) || name.equals(prometheus(meter) + "_total"));
      }
    }
  }

  /** The captured lists keep up with the code: each meter the code builds is in its list. */
  @Test
  void capturedNamesMatchTheMetersInTheCode() throws IOException {
    for (Map.Entry<String, String> e : MODULES.entrySet()) {
      Set<String> captured = captured(e.getKey());
      Set<String> registered = registeredMeters(e.getValue());
      assertThat(registered).as(e.getValue()).isNotEmpty();
      Set<String> expected = new TreeSet<>();
      for (String meter : registered) {
        String name = prometheus(meter);
        assertThat(captured)
            .as("%s serves %s (re-run compose/capture-metrics.sh)", e.getKey(), meter)
            .containsAnyOf(name, name + "_total");
        expected.add(captured.contains(name) ? name : name + "_total");
      }
      Set<String> sidetrack = new TreeSet<>(captured);
      sidetrack.removeIf(n -> !n.startsWith("sidetrack_"));
      assertThat(sidetrack)
          .as("%s serves no sidetrack meter the code no longer builds", e.getKey())
          .isEqualTo(expected);
    }
  }

  @Test
  void prometheusScrapesAllThreeComponents() throws IOException {
    String config = Files.readString(Dashboard.ROOT.resolve("compose/prometheus/prometheus.yml"));
    assertThat(config)
        .contains("job_name: registry-stream", "\"registry-stream:8090\"")
        .contains("job_name: edge-agent", "\"edge-agent:9901\"")
        .contains("job_name: router", "\"router:8070\"");
  }

  @Test
  void metricNamesAreFoundInPromQl() {
    assertThat(
            Dashboard.metricNamesIn(
                "sum by (reason) (rate(sidetrack_agent_fallbacks_total{workload=~\"$w\"}[1m]))"
                    + " / sidetrack_agent_routes + jvm_memory_used_bytes{area=\"heap\"}"))
        .containsExactly(
            "jvm_memory_used_bytes", "sidetrack_agent_fallbacks_total", "sidetrack_agent_routes");
    assertThat(Dashboard.exposedNames("# TYPE a counter\na_total{x=\"1\"} 1.0\nb 2\n"))
        .containsExactly("a_total", "b");
  }

  /** Micrometer's Prometheus name of a meter: dots become underscores. */
  private static String prometheus(String meter) {
    return meter.replace('.', '_');
  }

  private static Set<String> captured(String component) throws IOException {
    return Dashboard.exposedNames(
        Files.readString(
            Dashboard.ROOT.resolve("deploy/src/test/resources/metrics/" + component + ".txt")));
  }

  private static Set<String> registeredMeters(String module) throws IOException {
    Set<String> meters = new TreeSet<>();
    try (Stream<Path> files = Files.walk(Dashboard.ROOT.resolve(module + "/src/main/java"))) {
      for (Path file :
          (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
        Matcher m = BUILDER.matcher(Files.readString(file));
        while (m.find()) {
          meters.add(m.group(1));
        }
      }
    }
    return meters;
  }
}
