package io.sidetrack.tunnel;

import io.vertx.core.json.JsonObject;

/**
 * The control messages of a tunnel: JSON text messages beside the binary frames of the streams.
 *
 * <pre>
 * CLI → router   {"type":"intercept", ...InterceptSpec}      once, first
 *                {"type":"leave"}                              the developer leaves
 * router → CLI   {"type":"hello","owner":..,"router":..}       on connect
 *                {"type":"status","state":"pending","detail":..}
 *                {"type":"status","state":"active","id":..,"agents":N,
 *                 "preview":URL | "previewUnavailable":why}   preview only if asked for
 *                {"type":"status","state":"rejected","reason":..}   then the router closes
 *                {"type":"status","state":"removed","reason":..}    someone else removed it
 *                {"type":"left"}                               the tombstone is written
 * </pre>
 */
public final class Control {
  private Control() {}

  public static final String INTERCEPT = "intercept";
  public static final String LEAVE = "leave";
  public static final String HELLO = "hello";
  public static final String STATUS = "status";
  public static final String LEFT = "left";

  public static final String PENDING = "pending";
  public static final String ACTIVE = "active";
  public static final String REJECTED = "rejected";
  public static final String REMOVED = "removed";

  /** Field of {@code status active}: the intercept's preview URL. */
  public static final String PREVIEW = "preview";

  /** Field of {@code status active}: why the router serves no preview URL that was asked for. */
  public static final String PREVIEW_UNAVAILABLE = "previewUnavailable";

  /** The tunnel endpoint's path on the router. */
  public static final String PATH = "/v1/tunnel";

  /**
   * Query parameter of the tunnel's upgrade request naming the workload the tunnel is for, so the
   * router can refuse a workload the token may not intercept (403) before the WebSocket opens.
   */
  public static final String WORKLOAD_PARAM = "workload";

  /**
   * Query parameter of the tunnel's upgrade request naming the intercept id the tunnel is for, when
   * the CLI knows it (a fixed {@code --id}, or a reconnect), so the router can refuse another
   * owner's intercept (403) before the WebSocket opens.
   */
  public static final String ID_PARAM = "id";

  /** {@code hello}: the router greets the CLI with the token's owner and its own address. */
  public static JsonObject hello(String owner, String router) {
    return new JsonObject().put("type", HELLO).put("owner", owner).put("router", router);
  }

  /** {@code leave}: the developer leaves. */
  public static JsonObject leave() {
    return new JsonObject().put("type", LEAVE);
  }

  /** {@code status pending}: not active yet, {@code detail} says on what it waits. */
  public static JsonObject pending(String detail) {
    return new JsonObject().put("type", STATUS).put("state", PENDING).put("detail", detail);
  }

  /** {@code status active}: every live agent of the workload routes by the intercept. */
  public static JsonObject active(String id, int agents, long millis) {
    return new JsonObject()
        .put("type", STATUS)
        .put("state", ACTIVE)
        .put("id", id)
        .put("agents", agents)
        .put("ms", millis);
  }

  /**
   * {@code status active} of an intercept that asked for a preview: its URL, or (when {@code url}
   * is null) why there is none.
   */
  public static JsonObject active(
      String id, int agents, long millis, String previewUrl, String previewUnavailable) {
    JsonObject msg = active(id, agents, millis);
    return previewUrl != null
        ? msg.put(PREVIEW, previewUrl)
        : msg.put(PREVIEW_UNAVAILABLE, previewUnavailable);
  }

  /** {@code status rejected} or {@code status removed}: the tunnel ends, for {@code reason}. */
  public static JsonObject ended(String state, String reason) {
    return new JsonObject().put("type", STATUS).put("state", state).put("reason", reason);
  }

  /** {@code left}: the tombstone of the intercept is written. */
  public static JsonObject left(String id) {
    return new JsonObject().put("type", LEFT).put("id", id);
  }
}
