package io.sidetrack.cli.up;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * The second demo workload of {@code sidetrack up}, {@code frontend}: every request calls {@code
 * demo} (through demo's edge agent) and answers what demo said. It has no Sidetrack code and does
 * not copy any header itself: it runs under the OpenTelemetry Java agent with {@code
 * OTEL_PROPAGATORS=tracecontext,baggage}, which carries the {@code baggage} of the request it
 * serves to the call it makes. Only the JDK is on its classpath.
 *
 * <p>Usage: {@code FrontendApp PORT DOWNSTREAM_URL}; {@code /healthz} answers without calling.
 */
public final class FrontendApp {
  private FrontendApp() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: FrontendApp PORT DOWNSTREAM_URL");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    String downstream = args[1].replaceAll("/+$", "");
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/healthz", exchange -> answer(exchange, 200, "ok\n", null));
    server.createContext(
        "/",
        exchange -> {
          try {
            HttpResponse<String> demo =
                client.send(
                    HttpRequest.newBuilder(URI.create(downstream + exchange.getRequestURI()))
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            answer(
                exchange,
                200,
                "frontend called demo, which answered " + demo.statusCode() + ": " + demo.body(),
                demo.headers().firstValue("x-served-by").orElse(null));
          } catch (IOException e) {
            answer(exchange, 502, "frontend could not reach demo: " + e + "\n", null);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer(exchange, 503, "frontend is stopping\n", null);
          }
        });
    server.start();
    System.out.println("frontend listening on 127.0.0.1:" + port + ", calling " + downstream);
  }

  private static void answer(HttpExchange exchange, int status, String body, String demoServedBy)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", "text/plain; charset=utf-8");
    if (demoServedBy != null) {
      exchange.getResponseHeaders().set("x-demo-served-by", demoServedBy);
    }
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }
}
