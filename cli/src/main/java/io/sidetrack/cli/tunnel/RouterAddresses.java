package io.sidetrack.cli.tunnel;

import io.sidetrack.tunnel.Control;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;

/** A router's tunnel address, and what to say when connecting to it fails. */
final class RouterAddresses {
  private RouterAddresses() {}

  /** The tunnel endpoint of the router at {@code url} ({@code http(s)://HOST:PORT}). */
  static String tunnelUri(String url) {
    String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    if (u.startsWith("https://")) {
      u = "wss://" + u.substring(8);
    } else if (u.startsWith("http://")) {
      u = "ws://" + u.substring(7);
    }
    return u + Control.PATH;
  }

  /** Why the router refused the tunnel: the error its body names, or the body. */
  static String refusal(UpgradeRejectedException e) {
    Buffer b = e.getBody();
    if (b == null || b.length() == 0) {
      return "(no detail)";
    }
    try {
      return new JsonObject(b).getString("error", b.toString());
    } catch (RuntimeException notJson) {
      return b.toString().trim();
    }
  }

  /** Why the router at {@code url} could not be reached. */
  static String unreachable(String url, Throwable cause) {
    return "router unreachable at "
        + url
        + " ("
        + (cause instanceof ConnectException ? "connection refused" : cause.getMessage())
        + ")";
  }
}
