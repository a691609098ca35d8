package io.sidetrack.cli.tunnel;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Locale;

/** How the tunnel's client speaks to the developer's local app. */
public enum AppProtocol {
  /**
   * HTTP/1.1, except a gRPC call ({@code content-type: application/grpc}, {@code
   * application/grpc+proto}, {@code application/grpc;...}), which goes over h2c with prior
   * knowledge: gRPC servers speak HTTP/2 only. The default.
   */
  AUTO,
  /** Every request over h2c with prior knowledge (the app speaks HTTP/2 in clear text only). */
  H2C;

  /** Whether a request with these headers goes over h2c; upgrades (WebSocket) never do. */
  boolean h2c(MultiMap requestHeaders, boolean upgrade) {
    if (upgrade) {
      return false;
    }
    return this == H2C || isGrpc(requestHeaders.get(HttpHeaders.CONTENT_TYPE));
  }

  /**
   * Whether a content type is gRPC's: {@code application/grpc} alone, or with {@code +} or {@code
   * ;}.
   */
  static boolean isGrpc(String contentType) {
    if (contentType == null) {
      return false;
    }
    String t = contentType.trim().toLowerCase(Locale.ROOT);
    return t.equals("application/grpc")
        || t.startsWith("application/grpc+")
        || t.startsWith("application/grpc;");
  }
}
