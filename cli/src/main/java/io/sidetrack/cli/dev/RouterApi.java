package io.sidetrack.cli.dev;

import io.sidetrack.cli.tunnel.RouterTrust;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;

/** The router's REST API, for {@code list}, {@code leave} and {@code agents}. */
final class RouterApi {
  private final HttpClient http;
  private final List<String> urls;
  private final String token;

  RouterApi(RouterOptions options) {
    this.urls = options.routerUrls();
    this.token = options.token();
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .sslContext(options.trust().sslContext())
            .build();
  }

  JsonArray getArray(String path) throws IOException, InterruptedException {
    return new JsonArray(call("GET", path));
  }

  JsonObject delete(String path) throws IOException, InterruptedException {
    return new JsonObject(call("DELETE", path));
  }

  /** Asks each router in turn until one answers; its errors are one line. */
  private String call(String method, String path) throws IOException, InterruptedException {
    IOException last = null;
    for (String url : urls) {
      String base = url.replaceFirst("^ws", "http");
      base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(Duration.ofSeconds(10))
              .header("Authorization", "Bearer " + token)
              .method(method, HttpRequest.BodyPublishers.noBody())
              .build();
      HttpResponse<String> resp;
      try {
        resp = http.send(req, HttpResponse.BodyHandlers.ofString());
      } catch (ConnectException | HttpTimeoutException e) {
        last = new IOException("router unreachable at " + url + " (" + describe(e) + ")", e);
        continue;
      } catch (javax.net.ssl.SSLException e) {
        String untrusted = RouterTrust.untrusted(url, e).orElse(null);
        if (untrusted == null) {
          throw new IOException("router " + url + ": TLS failed (" + e.getMessage() + ")", e);
        }
        last = new IOException(untrusted, e);
        continue;
      }
      if (resp.statusCode() / 100 == 2) {
        return resp.body();
      }
      String error;
      try {
        error = new JsonObject(resp.body()).getString("error", resp.body());
      } catch (RuntimeException notJson) {
        error = resp.body();
      }
      if (resp.statusCode() == 401) {
        throw new IllegalStateException("the router at " + url + " refused the token: " + error);
      }
      throw new IllegalStateException(error);
    }
    throw last;
  }

  private static String describe(Exception e) {
    return e instanceof ConnectException ? "connection refused" : "timed out";
  }
}
