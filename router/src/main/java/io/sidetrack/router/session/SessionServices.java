package io.sidetrack.router.session;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.sidetrack.core.InterceptValidator;
import io.sidetrack.router.cluster.ClusterView;
import io.sidetrack.router.cluster.Registrar;
import io.sidetrack.router.preview.PreviewLinks;
import io.sidetrack.router.records.RecordTaps;
import io.vertx.core.Vertx;

/**
 * What a tunnel session needs of the router that holds it, and no more.
 *
 * @param vertx for the lease's timers
 * @param view the cluster as last read: agents, routes, readiness
 * @param registrar publishes, renews and removes registrations
 * @param validator checks a registration before it is published
 * @param tunnels the sessions of this router, by intercept
 * @param noTunnel answers a relayed request whose tunnel is gone
 * @param relayed counts the requests relayed through tunnels
 * @param advertised this router's relay address ({@code HOST:PORT}), the registrations' target
 * @param agentsTopic the heartbeat topic, named when no agent reports a workload
 * @param previews the preview links of active intercepts ({@link PreviewLinks#none()} without a
 *     preview listener)
 * @param records relays the records of active intercepts with topics
 */
public record SessionServices(
    Vertx vertx,
    ClusterView view,
    Registrar registrar,
    InterceptValidator validator,
    Tunnels tunnels,
    NoTunnel noTunnel,
    Counter relayed,
    String advertised,
    String agentsTopic,
    PreviewLinks previews,
    RecordTaps records) {
  public SessionServices {
    requireNonNull(vertx, "vertx");
    requireNonNull(view, "view");
    requireNonNull(registrar, "registrar");
    requireNonNull(validator, "validator");
    requireNonNull(tunnels, "tunnels");
    requireNonNull(noTunnel, "noTunnel");
    requireNonNull(relayed, "relayed");
    requireNonNull(advertised, "advertised");
    requireNonNull(agentsTopic, "agentsTopic");
    requireNonNull(previews, "previews");
    requireNonNull(records, "records");
  }
}
