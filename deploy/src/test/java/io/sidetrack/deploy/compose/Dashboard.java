package io.sidetrack.deploy.compose;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Grafana dashboard of the compose stack, as its tests read it. */
final class Dashboard {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path FILE = ROOT.resolve("compose/grafana/dashboards/sidetrack.json");

  /** A metric name in PromQL: the families the components serve. */
  private static final Pattern METRIC =
      Pattern.compile("\\b((?:sidetrack|jvm|kafka)_[a-z0-9_]+)\\b");

  private final JsonObject json;

  private Dashboard(JsonObject json) {
    this.json = json;
  }

  static Dashboard read() throws IOException {
    return new Dashboard(new JsonObject(Files.readString(FILE)));
  }

  JsonObject json() {
    return json;
  }

  /** Every panel that is not a row. */
  List<JsonObject> panels() {
    List<JsonObject> panels = new ArrayList<>();
    JsonArray all = json.getJsonArray("panels");
    for (int i = 0; i < all.size(); i++) {
      JsonObject panel = all.getJsonObject(i);
      if (!"row".equals(panel.getString("type"))) {
        panels.add(panel);
      }
    }
    return panels;
  }

  /** The PromQL expression of every target of every panel. */
  List<String> expressions() {
    List<String> exprs = new ArrayList<>();
    for (JsonObject panel : panels()) {
      JsonArray targets = panel.getJsonArray("targets");
      for (int i = 0; i < targets.size(); i++) {
        exprs.add(targets.getJsonObject(i).getString("expr"));
      }
    }
    return exprs;
  }

  /** The metric names the queries read. */
  Set<String> metricNames() {
    Set<String> names = new TreeSet<>();
    for (String expr : expressions()) {
      names.addAll(metricNamesIn(expr));
    }
    return names;
  }

  static Set<String> metricNamesIn(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The names in a Prometheus text exposition ({@code /metrics}), without comments. */
  static Set<String> exposedNames(String exposition) {
    Set<String> names = new TreeSet<>();
    exposition
        .lines()
        .filter(line -> !line.isBlank() && !line.startsWith("#"))
        .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
    return names;
  }
}
