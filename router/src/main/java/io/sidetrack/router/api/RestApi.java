package io.sidetrack.router.api;

import static java.util.Objects.requireNonNull;

import io.sidetrack.router.auth.BearerAuth;
import io.sidetrack.router.auth.Tokens;
import io.sidetrack.router.cluster.ClusterView;
import io.sidetrack.router.cluster.Rollout;
import io.sidetrack.tunnel.InterceptSpec;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The router's HTTP API for developers (bearer token) and for probes (no token).
 *
 * <pre>
 * GET    /v1/intercepts        accepted intercepts (every workload), each active or what it waits for
 * DELETE /v1/intercepts/{id}   remove one of your intercepts
 * GET    /v1/agents            live edge agents and the offset each applied
 * GET    /v1/whoami            the identity of the token
 * GET    /health /ready /metrics
 * </pre>
 */
public final class RestApi {
  private static final String JSON = "application/json";
  private static final String INTERCEPTS = "/v1/intercepts";

  private final ClusterView view;
  private final BearerAuth auth;
  private final InterceptRemoval removal;
  private final Supplier<String> metrics;

  /**
   * @param view the cluster as last read: intercepts, agents, readiness
   * @param auth authenticates the developer's requests
   * @param removal removes an intercept (its tunnel here stops renewing, then the tombstone)
   * @param metrics the Prometheus scrape
   */
  public RestApi(
      ClusterView view, BearerAuth auth, InterceptRemoval removal, Supplier<String> metrics) {
    this.view = requireNonNull(view, "view");
    this.auth = requireNonNull(auth, "auth");
    this.removal = requireNonNull(removal, "removal");
    this.metrics = requireNonNull(metrics, "metrics");
  }

  /** Handles a request for anything but the tunnel endpoint. */
  public void handle(HttpServerRequest req) {
    String path = req.path();
    switch (path) {
      case "/health" -> {
        boolean up = view.kafkaReachable();
        json(req, 200, new JsonObject().put("status", up ? "UP" : "DEGRADED"));
        return;
      }
      case "/ready" -> {
        boolean ready = view.ready();
        json(req, ready ? 200 : 503, new JsonObject().put("ready", ready));
        return;
      }
      case "/metrics" -> {
        req.response()
            .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            .end(metrics.get());
        return;
      }
      default -> {}
    }
    auth.authenticate(req).onSuccess(who -> answer(req, path, who));
  }

  private void answer(HttpServerRequest req, String path, Tokens.Identity who) {
    if (path.equals("/v1/whoami") && req.method() == HttpMethod.GET) {
      json(req, 200, new JsonObject().put("owner", who.name()).put("workloads", who.allowed()));
    } else if (path.equals(INTERCEPTS) && req.method() == HttpMethod.GET) {
      json(req, 200, intercepts());
    } else if (path.startsWith(INTERCEPTS + "/") && req.method() == HttpMethod.DELETE) {
      remove(req, who, path.substring(INTERCEPTS.length() + 1));
    } else if (path.equals("/v1/agents") && req.method() == HttpMethod.GET) {
      json(req, 200, agents());
    } else {
      error(req, 404, "no such resource: " + req.method() + " " + path);
    }
  }

  private JsonArray intercepts() {
    JsonArray out = new JsonArray();
    view.routes().stream()
        .sorted(
            Comparator.comparing((ClusterView.RouteAt r) -> r.route().workload())
                .thenComparing(r -> r.route().createdAt()))
        .forEach(r -> out.add(intercept(r)));
    return out;
  }

  /**
   * An accepted intercept: its route entry, and whether it is active (at least one live agent of
   * the workload, and every live one applied it) with {@code status} saying by whom it is routed or
   * what it waits for.
   */
  private JsonObject intercept(ClusterView.RouteAt r) {
    String workload = r.route().workload();
    Rollout rollout = Rollout.of(r, view.agents(workload));
    return new JsonObject()
        .put("id", r.route().interceptId())
        .put("workload", workload)
        .put("owner", r.route().owner())
        .put("match", InterceptSpec.matchToJson(r.route().match()))
        .put("target", r.route().target())
        .put("createdAt", r.route().createdAt().toString())
        .put("failureMode", r.route().failureMode().name())
        .put("topics", new JsonArray(new ArrayList<>(r.route().topics())))
        .put("partition", r.partition())
        .put("offset", r.offset())
        .put("active", rollout.active())
        .put("status", rollout.describe(workload));
  }

  private JsonArray agents() {
    JsonArray out = new JsonArray();
    view.liveAgents().stream()
        .sorted(
            Comparator.comparing(ClusterView.Agent::workload)
                .thenComparing(ClusterView.Agent::agentId))
        .forEach(
            a ->
                out.add(
                    new JsonObject()
                        .put("agentId", a.agentId())
                        .put("workload", a.workload())
                        .put("partition", a.partition())
                        .put("appliedOffset", a.appliedOffset())
                        .put("ready", a.ready())
                        .put("routes", a.routes())
                        .put("startedAt", a.startedAt().toString())
                        .put("lastHeartbeat", a.time().toString())));
    return out;
  }

  private void remove(HttpServerRequest req, Tokens.Identity who, String id) {
    Optional<ClusterView.RouteAt> at = view.route(id);
    if (at.isEmpty()) {
      error(req, 404, "no active intercept " + id);
      return;
    }
    String owner = at.get().route().owner();
    if (!owner.equals(who.name())) {
      error(req, 403, "intercept " + id + " belongs to " + owner + ", not " + who.name());
      return;
    }
    removal
        .remove(id)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                error(req, 503, "could not remove " + id + ": " + ar.cause().getMessage());
              } else {
                json(
                    req,
                    200,
                    new JsonObject()
                        .put("id", id)
                        .put("workload", at.get().route().workload())
                        .put("removed", true));
              }
            });
  }

  private static void json(HttpServerRequest req, int status, Object body) {
    req.response()
        .setStatusCode(status)
        .putHeader("Content-Type", JSON)
        .end(body instanceof JsonArray a ? a.encode() : ((JsonObject) body).encode());
  }

  private static void error(HttpServerRequest req, int status, String message) {
    json(req, status, new JsonObject().put("error", message));
  }
}
