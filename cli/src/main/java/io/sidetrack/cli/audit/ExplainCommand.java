package io.sidetrack.cli.audit;

import io.sidetrack.cli.MatchOptions;
import io.sidetrack.cli.context.Connection;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.InterceptValidator;
import io.sidetrack.core.records.RecordRouting;
import io.sidetrack.core.routing.RequestView;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteMatch;
import io.sidetrack.core.routing.RouteTable;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sidetrack explain}: where a request goes, and which rule decided it. */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = {
      "Tell where a request to a workload goes (now, or at an instant) and which rule decided"
          + " it, with the edge agent's own matcher: for an any-of group, the alternative that"
          + " matched (the header or the baggage member of a personal intercept).",
      "Now: the workload's partition of sidetrack.routes, as its edge agents read it. --at:"
          + " routing rebuilt from the audit events.",
      "With --topic T it explains a Kafka record of T that the workload consumes instead: its"
          + " headers are the --header and --baggage given (a record has no path or method), and"
          + " it is decided as Sidetrack's consumer interceptor decides it: taken by an intercept"
          + " (the workload's consumers skip it) or kept by the workload."
    })
public final class ExplainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Connection connection;

  @Option(names = "--workload", required = true, description = "The workload the request goes to.")
  String workload;

  @Option(
      names = "--header",
      paramLabel = "NAME=VALUE",
      description = "A request header (repeatable; a name may repeat).")
  List<String> headers = new ArrayList<>();

  @Option(
      names = "--baggage",
      paramLabel = "KEY=VALUE",
      description =
          "A W3C baggage member the request carries (repeatable), as a service's OpenTelemetry"
              + " agent sends it; the same as --header baggage=KEY=VALUE.")
  List<String> baggage = new ArrayList<>();

  @Option(
      names = "--path",
      defaultValue = "/",
      description = "Request path (default ${DEFAULT-VALUE}).")
  String path;

  @Option(
      names = "--method",
      defaultValue = "GET",
      description = "Request method (default ${DEFAULT-VALUE}).")
  String method;

  @Option(
      names = "--topic",
      paramLabel = "TOPIC",
      description =
          "Explain a record of this Kafka topic, with the --header and --baggage given as its"
              + " record headers, instead of a request.")
  String topic;

  @Option(names = "--at", description = "Explain at this instant instead of now.")
  String at;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "table or json. Default ${DEFAULT-VALUE}.")
  OutputFormat output;

  @Override
  public Integer call() throws Exception {
    if (!InterceptValidator.isValidWorkload(workload)) {
      throw new IllegalArgumentException("invalid --workload '" + workload + "'");
    }
    if (topic != null) {
      String problem = InterceptValidator.topicNameProblem(topic);
      if (problem != null) {
        throw new IllegalArgumentException(
            problem.replace("invalid topic name", "invalid --topic"));
      }
    }
    Instant instant = at == null ? null : TimeArg.parsePast("--at", at, Instant.now());
    Map<String, List<String>> headerMap = new HashMap<>();
    for (String h : headers) {
      int eq = h.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("invalid --header '" + h + "': expected NAME=VALUE");
      }
      headerMap
          .computeIfAbsent(h.substring(0, eq).toLowerCase(Locale.ROOT), n -> new ArrayList<>())
          .add(h.substring(eq + 1));
    }
    for (String b : baggage) {
      String[] kv = MatchOptions.pair("--baggage", b);
      headerMap
          .computeIfAbsent("baggage", n -> new ArrayList<>())
          .add(MatchOptions.baggageMember(new BaggageMatch(kv[0], kv[1])));
    }
    List<Route> routes;
    try (AuditLog log = AuditLog.open(connection)) {
      routes =
          instant == null
              ? CurrentRoutes.of(
                  connection.bootstrapServers(),
                  connection.kafkaProperties(),
                  connection.schemaRegistryClient(),
                  connection.topics().routes(),
                  workload)
              : ReplayCommand.replay(log, instant, workload).routesOf(workload);
      if (routes.isEmpty() && !log.knowsWorkload(workload)) {
        throw new IllegalArgumentException(
            "unknown workload '" + workload + "': no audit event names it");
      }
    }
    String upperMethod = method.toUpperCase(Locale.ROOT);
    RequestView request =
        new RequestView() {
          @Override
          public List<String> headerValues(String lowerCaseName) {
            return headerMap.getOrDefault(lowerCaseName, List.of());
          }

          @Override
          public String path() {
            return path;
          }

          @Override
          public String method() {
            return upperMethod;
          }
        };
    Optional<RouteMatch> match;
    int considered;
    if (topic == null) {
      match = RouteTable.compile(routes).routeFor(request);
      considered = routes.size();
    } else {
      RecordRouting records = RecordRouting.compile(routes);
      match = records.routeFor(topic, request);
      considered = (int) routes.stream().filter(r -> r.topics().contains(topic)).count();
    }
    print(match, considered, instant, spec.commandLine().getOut());
    return 0;
  }

  /**
   * The request as a person reads it: {@code GET /p to orders (now)}, or the record: {@code a
   * record of orders.created consumed by orders (now)}.
   */
  private String request(String when) {
    if (topic != null) {
      return "a record of " + topic + " consumed by " + workload + " (" + when + ")";
    }
    return method.toUpperCase(Locale.ROOT) + " " + path + " to " + workload + " (" + when + ")";
  }

  private void print(Optional<RouteMatch> match, int routes, Instant instant, PrintWriter out) {
    String when = instant == null ? "now" : "at " + instant;
    if (output == OutputFormat.json) {
      JsonObject json =
          new JsonObject()
              .put("workload", workload)
              .put("topic", topic)
              .put("at", instant == null ? null : instant.toString())
              .put("routes", routes)
              .put("destination", match.isPresent() ? "intercept" : topic == null ? "app" : "kept");
      match.ifPresent(
          m ->
              json.put("interceptId", m.route().interceptId())
                  .put("owner", m.route().owner())
                  .put("target", m.route().target())
                  .put("failureMode", m.route().failureMode().name())
                  .put("precedence", m.precedence().name())
                  .put("rule", m.rule())
                  .put("routeRules", Describe.rules(m.route().match()))
                  .put("routeTopics", new io.vertx.core.json.JsonArray(m.route().topics())));
      out.println(json.encodePrettily());
    } else if (match.isPresent()) {
      RouteMatch m = match.get();
      String mode = m.route().failureMode().name().toLowerCase(Locale.ROOT).replace('_', '-');
      out.printf(
          "%s goes to intercept %s of %s via %s (%s)%n",
          request(when), m.route().interceptId(), m.route().owner(), m.route().target(), mode);
      out.printf(
          "  decided by: %s [%s]%n",
          m.rule(), m.precedence().name().toLowerCase(Locale.ROOT).replace('_', ' '));
      out.println("  its rules: " + Describe.rules(m.route().match()));
      if (!m.route().topics().isEmpty()) {
        out.println("  its topics: " + String.join(", ", m.route().topics()));
      }
      if (topic != null) {
        out.println("  the workload's consumers with Sidetrack's interceptor skip it");
      }
      out.println("  routes considered: " + routes);
    } else if (topic != null) {
      out.printf(
          "%s stays with the workload's consumers: no intercept of the topic matches (%d routes"
              + " take the topic)%n",
          request(when), routes);
    } else {
      out.printf(
          "%s goes to the workload's own app: no intercept matches (%d routes considered)%n",
          request(when), routes);
    }
    out.flush();
  }
}
