package io.sidetrack.edge.status;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sidetrack.edge.routing.RouteFeed;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * The agent's own endpoints, on a port apart from the traffic it proxies: {@code /ready} (200 once
 * the route table caught up with its partition), {@code /health} (200; {@code DEGRADED} while Kafka
 * is unreachable, since routing goes on), {@code /metrics} (Prometheus).
 */
public final class AdminApi {
  private final Vertx vertx;
  private final RouteFeed feed;
  private final PrometheusMeterRegistry meters;
  private final String agentId;
  private HttpServer server;

  public AdminApi(Vertx vertx, RouteFeed feed, PrometheusMeterRegistry meters, String agentId) {
    this.vertx = vertx;
    this.feed = feed;
    this.meters = meters;
    this.agentId = agentId;
  }

  public Future<Integer> listen(String host, int port) {
    return vertx
        .createHttpServer()
        .requestHandler(this::handle)
        .listen(port, host)
        .map(
            s -> {
              server = s;
              return s.actualPort();
            });
  }

  public int port() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest req) {
    switch (req.path()) {
      case "/ready" -> {
        boolean ready = feed.caughtUp();
        req.response()
            .setStatusCode(ready ? 200 : 503)
            .putHeader("Content-Type", "application/json")
            .end(status().put("ready", ready).encode());
      }
      case "/health" ->
          req.response()
              .putHeader("Content-Type", "application/json")
              .end(status().put("status", feed.kafkaReachable() ? "UP" : "DEGRADED").encode());
      case "/metrics" ->
          req.response()
              .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
              .end(meters.scrape());
      default ->
          req.response()
              .setStatusCode(404)
              .putHeader("Content-Type", "application/json")
              .end(new JsonObject().put("error", "no such resource: " + req.path()).encode());
    }
  }

  private JsonObject status() {
    return new JsonObject()
        .put("agentId", agentId)
        .put("kafkaReachable", feed.kafkaReachable())
        .put("partition", feed.partition())
        .put("appliedOffset", feed.appliedOffset())
        .put("routes", feed.current().size());
  }
}
