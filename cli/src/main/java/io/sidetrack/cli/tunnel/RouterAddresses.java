package io.sidetrack.cli.tunnel;

import io.sidetrack.tunnel.Control;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** A router's tunnel address, and what to say when connecting to it fails. */
final class RouterAddresses {
  private RouterAddresses() {}

  /**
   * The tunnel endpoint of the router at {@code url} for {@code workload} and intercept {@code id}
   * (each left out when {@code null}).
   */
  static String tunnelUri(String url, String workload, String id) {
    StringBuilder uri = new StringBuilder(tunnelUri(url));
    char sep = '?';
    if (workload != null) {
      uri.append(sep).append(Control.WORKLOAD_PARAM).append('=').append(encode(workload));
      sep = '&';
    }
    if (id != null) {
      uri.append(sep).append(Control.ID_PARAM).append('=').append(encode(id));
    }
    return uri.toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

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
