package io.sidetrack.stream.query;

import static java.util.Objects.requireNonNull;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sidetrack.core.InterceptState;
import io.sidetrack.core.InterceptValidator;
import io.sidetrack.core.RouteKeys;
import io.sidetrack.schemas.AvroMapping;
import io.sidetrack.stream.StoreNames;
import io.sidetrack.stream.internal.WorkloadPartitioner;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * registry-stream's HTTP API over its state stores (Kafka Streams interactive queries). Any
 * instance answers: a key held by another instance is fetched from it. While stores migrate it
 * answers 503 with {@code Retry-After}.
 *
 * <ul>
 *   <li>{@code GET /intercepts[?workload=W&owner=O&status=S]}
 *   <li>{@code GET /intercepts/{id}}
 *   <li>{@code GET /workloads/{workload}/routes}
 *   <li>{@code GET /health}, {@code /ready}, {@code /metrics}
 * </ul>
 */
public final class QueryApi {
  private static final Logger LOG = LoggerFactory.getLogger(QueryApi.class);
  private static final String JSON = "application/json";
  private static final String RETRY_AFTER_SECONDS = "1";
  private static final StringSerializer KEYS = new StringSerializer();

  private final Vertx vertx;
  private final PrometheusMeterRegistry meters;
  private final HttpClient peers;
  private HttpServer server;
  private volatile KafkaStreams streams;
  private volatile HostInfo self;

  public QueryApi(Vertx vertx, PrometheusMeterRegistry meters) {
    this.vertx = requireNonNull(vertx, "vertx");
    this.meters = requireNonNull(meters, "meters");
    this.peers =
        vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2000).setIdleTimeout(30));
  }

  /** Starts listening; the future holds the bound port. */
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

  /** Connects the API to the running topology; until then it answers 503. */
  public void attach(KafkaStreams streams, String advertisedHost, int port) {
    this.self = new HostInfo(advertisedHost, port);
    this.streams = streams;
  }

  /** The bound port. */
  public int port() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest req) {
    if (req.method() != HttpMethod.GET) {
      error(req, 405, "only GET is supported");
      return;
    }
    String[] parts = req.path().split("/");
    List<String> seg = new ArrayList<>();
    for (String p : parts) {
      if (!p.isEmpty()) {
        seg.add(URLDecoder.decode(p, StandardCharsets.UTF_8));
      }
    }
    try {
      if (seg.equals(List.of("health"))) {
        health(req);
      } else if (seg.equals(List.of("ready"))) {
        ready(req);
      } else if (seg.equals(List.of("metrics"))) {
        req.response()
            .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            .end(meters.scrape());
      } else if (streams == null) {
        unavailable(req, "registry-stream is starting");
      } else if (seg.equals(List.of("intercepts"))) {
        listIntercepts(req);
      } else if (seg.size() == 2 && seg.get(0).equals("intercepts")) {
        oneIntercept(req, seg.get(1));
      } else if (seg.size() == 3 && seg.get(0).equals("workloads") && seg.get(2).equals("routes")) {
        workloadRoutes(req, seg.get(1));
      } else if (seg.size() == 3 && seg.get(0).equals("internal") && seg.get(1).equals("index")) {
        answer(
            req,
            localIndex(seg.get(2)).map(w -> w == null ? null : new JsonObject().put("workload", w)),
            "no intercept " + seg.get(2));
      } else if (seg.size() == 4 && seg.get(0).equals("internal") && seg.get(1).equals("state")) {
        answer(
            req,
            localState(RouteKeys.routeKey(seg.get(2), seg.get(3))),
            "no intercept " + seg.get(3));
      } else {
        error(req, 404, "no such resource: " + req.path());
      }
    } catch (RuntimeException e) {
      LOG.warn("Query {} failed", req.path(), e);
      error(req, 500, e.getMessage());
    }
  }

  private void health(HttpServerRequest req) {
    KafkaStreams s = streams;
    KafkaStreams.State state = s == null ? KafkaStreams.State.CREATED : s.state();
    boolean up =
        state != KafkaStreams.State.ERROR
            && state != KafkaStreams.State.NOT_RUNNING
            && state != KafkaStreams.State.PENDING_ERROR
            && state != KafkaStreams.State.PENDING_SHUTDOWN;
    req.response()
        .setStatusCode(up ? 200 : 503)
        .putHeader("Content-Type", JSON)
        .end(
            new JsonObject()
                .put("status", up ? "UP" : "DOWN")
                .put("streams", state.name())
                .encode());
  }

  private void ready(HttpServerRequest req) {
    KafkaStreams s = streams;
    KafkaStreams.State state = s == null ? KafkaStreams.State.CREATED : s.state();
    if (state == KafkaStreams.State.RUNNING) {
      req.response()
          .putHeader("Content-Type", JSON)
          .end(new JsonObject().put("ready", true).put("streams", state.name()).encode());
    } else {
      unavailable(req, "not ready: Kafka Streams is " + state);
    }
  }

  private void listIntercepts(HttpServerRequest req) {
    String workload = req.getParam("workload");
    String owner = req.getParam("owner");
    String status = req.getParam("status");
    boolean localOnly = "local".equals(req.getParam("scope"));
    Future<JsonArray> local = localAll(workload, owner, status);
    if (localOnly) {
      answer(req, local.map(a -> a), null);
      return;
    }
    List<Future<JsonArray>> all = new ArrayList<>();
    all.add(local);
    for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
      if (!m.hostInfo().equals(self)) {
        String query = req.query() == null ? "scope=local" : req.query() + "&scope=local";
        all.add(fetch(m.hostInfo(), "/intercepts?" + query).map(b -> new JsonArray(b)));
      }
    }
    answer(
        req,
        Future.all(all)
            .map(
                done -> {
                  List<JsonObject> merged = new ArrayList<>();
                  for (int i = 0; i < all.size(); i++) {
                    JsonArray part = done.resultAt(i);
                    part.forEach(o -> merged.add((JsonObject) o));
                  }
                  merged.sort(Comparator.comparing(o -> o.getString("id")));
                  return new JsonArray(new ArrayList<>(merged));
                }),
        null);
  }

  private void oneIntercept(HttpServerRequest req, String id) {
    Future<String> workload =
        onOwner(
                StoreNames.INTERCEPT_INDEX,
                streams.queryMetadataForKey(StoreNames.INTERCEPT_INDEX, id, KEYS),
                () -> localIndex(id),
                "/internal/index/" + id)
            .map(o -> o instanceof JsonObject j ? j.getString("workload") : (String) o);
    Future<Object> state =
        workload.compose(
            w -> {
              if (w == null) {
                return Future.succeededFuture(null);
              }
              String key = RouteKeys.routeKey(w, id);
              return onOwner(
                  StoreNames.INTERCEPTS,
                  streams.queryMetadataForKey(
                      StoreNames.INTERCEPTS, key, new WorkloadPartitioner<>()),
                  () -> localState(key).map(o -> (Object) o),
                  "/internal/state/" + w + "/" + id);
            });
    answer(req, state, "no intercept " + id);
  }

  private void workloadRoutes(HttpServerRequest req, String workload) {
    if (!InterceptValidator.isValidWorkload(workload)) {
      error(req, 400, "invalid workload name '" + workload + "'");
      return;
    }
    KeyQueryMetadata owner =
        streams.queryMetadataForKey(
            StoreNames.INTERCEPTS, RouteKeys.workloadPrefix(workload), new WorkloadPartitioner<>());
    if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
      unavailable(req, "stores are rebalancing");
      return;
    }
    if (!owner.activeHost().equals(self) && !"local".equals(req.getParam("scope"))) {
      answer(
          req,
          fetch(owner.activeHost(), "/workloads/" + workload + "/routes?scope=local")
              .map(b -> (Object) new JsonObject(b)),
          null);
      return;
    }
    Future<Object> routes =
        blocking(
            () -> {
              JsonArray active = new JsonArray();
              try (KeyValueIterator<String, io.sidetrack.schemas.avro.InterceptState> it =
                  interceptStore().prefixScan(RouteKeys.workloadPrefix(workload), KEYS)) {
                it.forEachRemaining(
                    kv -> {
                      InterceptState s = AvroMapping.toState(kv.value);
                      if (s.isActive()) {
                        active.add(InterceptJson.of(s.intercept()));
                      }
                    });
              }
              return new JsonObject().put("workload", workload).put("routes", active);
            });
    answer(req, routes, null);
  }

  /** Runs {@code local} when this instance owns the key, else asks the owner at {@code path}. */
  private Future<Object> onOwner(
      String store, KeyQueryMetadata owner, Supplier<Future<?>> local, String path) {
    if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
      return Future.failedFuture(new InvalidStateStoreException(store + " is rebalancing"));
    }
    if (owner.activeHost().equals(self)) {
      return local.get().map(o -> (Object) o);
    }
    return fetch(owner.activeHost(), path).map(b -> b == null ? null : (Object) new JsonObject(b));
  }

  private Future<String> localIndex(String id) {
    return blocking(
        () -> {
          ReadOnlyKeyValueStore<String, String> index =
              streams.store(
                  StoreQueryParameters.fromNameAndType(
                      StoreNames.INTERCEPT_INDEX,
                      QueryableStoreTypes.<String, String>keyValueStore()));
          return index.get(id);
        });
  }

  private Future<JsonObject> localState(String key) {
    return blocking(
        () -> {
          var state = interceptStore().get(key);
          return state == null ? null : InterceptJson.of(AvroMapping.toState(state));
        });
  }

  private Future<JsonArray> localAll(String workload, String owner, String status) {
    return blocking(
        () -> {
          JsonArray out = new JsonArray();
          try (KeyValueIterator<String, io.sidetrack.schemas.avro.InterceptState> it =
              workload == null
                  ? interceptStore().all()
                  : interceptStore().prefixScan(RouteKeys.workloadPrefix(workload), KEYS)) {
            it.forEachRemaining(
                kv -> {
                  InterceptState s = AvroMapping.toState(kv.value);
                  if ((owner == null || owner.equals(s.intercept().owner()))
                      && (status == null || status.equalsIgnoreCase(s.status().name()))) {
                    out.add(InterceptJson.of(s));
                  }
                });
          }
          return out;
        });
  }

  private ReadOnlyKeyValueStore<String, io.sidetrack.schemas.avro.InterceptState> interceptStore() {
    return streams.store(
        StoreQueryParameters.fromNameAndType(
            StoreNames.INTERCEPTS,
            QueryableStoreTypes.<String, io.sidetrack.schemas.avro.InterceptState>keyValueStore()));
  }

  private <T> Future<T> blocking(java.util.concurrent.Callable<T> query) {
    return vertx.executeBlocking(query, false);
  }

  /** GETs {@code path} from a peer instance; a 404 becomes {@code null}. */
  private Future<String> fetch(HostInfo host, String path) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(host.host())
            .setPort(host.port())
            .setURI(path)
            .setTimeout(5000);
    return peers
        .request(options)
        .compose(r -> r.send())
        .recover(
            e ->
                Future.failedFuture(
                    new PeerUnreachableException(host.host() + ":" + host.port(), e)))
        .compose(
            resp ->
                resp.body()
                    .compose(
                        body -> {
                          if (resp.statusCode() == 404) {
                            return Future.succeededFuture(null);
                          }
                          if (resp.statusCode() == 503) {
                            return Future.failedFuture(
                                new InvalidStateStoreException(body.toString()));
                          }
                          if (resp.statusCode() != 200) {
                            return Future.failedFuture(
                                new PeerUnreachableException(
                                    host.host()
                                        + ":"
                                        + host.port()
                                        + " answered "
                                        + resp.statusCode(),
                                    null));
                          }
                          return Future.succeededFuture(body.toString());
                        }));
  }

  private void answer(HttpServerRequest req, Future<?> result, String notFound) {
    result.onComplete(
        ar -> {
          if (ar.succeeded()) {
            Object value = ar.result();
            if (value == null) {
              error(req, 404, notFound);
            } else {
              String body =
                  value instanceof JsonObject j
                      ? j.encode()
                      : value instanceof JsonArray a ? a.encode() : value.toString();
              req.response().putHeader("Content-Type", JSON).end(body);
            }
          } else if (ar.cause() instanceof InvalidStateStoreException e) {
            unavailable(req, "stores are rebalancing: " + e.getMessage());
          } else if (ar.cause() instanceof PeerUnreachableException e) {
            error(req, 502, e.getMessage());
          } else {
            LOG.warn("Query {} failed", req.path(), ar.cause());
            error(req, 500, String.valueOf(ar.cause().getMessage()));
          }
        });
  }

  private static void unavailable(HttpServerRequest req, String why) {
    req.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
    error(req, 503, why);
  }

  private static void error(HttpServerRequest req, int status, String message) {
    req.response()
        .setStatusCode(status)
        .putHeader("Content-Type", JSON)
        .end(new JsonObject().put("error", message).encode());
  }

  /** A peer instance holding the asked-for key could not be asked. */
  static final class PeerUnreachableException extends RuntimeException {
    PeerUnreachableException(String peer, Throwable cause) {
      super(
          "registry-stream instance "
              + peer
              + " unreachable"
              + (cause == null ? "" : ": " + cause.getMessage()),
          cause);
    }
  }
}
