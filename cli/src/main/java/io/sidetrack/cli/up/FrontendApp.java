package io.sidetrack.cli.up;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * The second demo workload of {@code sidetrack up}, {@code frontend}: every request calls {@code
 * demo} (through demo's edge agent) and answers what demo said. It has no Sidetrack code and does
 * not copy any header itself: it runs under the OpenTelemetry Java agent with {@code
 * OTEL_PROPAGATORS=tracecontext,baggage}, which carries the {@code baggage} of the request it
 * serves to the call it makes, and to the records it produces.
 *
 * <p>Usage: {@code FrontendApp PORT DOWNSTREAM_URL [KAFKA_SETTINGS_FILE TOPIC]}; {@code /healthz}
 * answers without calling. With Kafka settings, {@code GET /order?item=ITEM} produces one record
 * (key and value {@code ITEM}) to {@code TOPIC} instead of calling demo, and answers where it went
 * ({@link FrontendOrders}). Only the JDK, and for orders kafka-clients and slf4j-api, are on its
 * classpath.
 */
public final class FrontendApp {
  /** The path that produces a record. */
  static final String ORDER_PATH = "/order";

  private static final int MAX_ITEM = 200;

  private FrontendApp() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2 && args.length != 4) {
      System.err.println("usage: FrontendApp PORT DOWNSTREAM_URL [KAFKA_SETTINGS_FILE TOPIC]");
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
    if (args.length == 4) {
      FrontendOrders orders = new FrontendOrders(Path.of(args[2]), args[3]);
      server.createContext(ORDER_PATH, exchange -> order(exchange, orders));
    }
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

  /** {@code GET /order?item=ITEM}: one record, and where it went. */
  private static void order(HttpExchange exchange, FrontendOrders orders) throws IOException {
    if (!exchange.getRequestURI().getPath().equals(ORDER_PATH)) {
      answer(exchange, 404, "frontend: no such path; try " + ORDER_PATH + "?item=book\n", null);
      return;
    }
    String item;
    try {
      item = queryParameter(exchange.getRequestURI().getRawQuery(), "item");
    } catch (IllegalArgumentException badEncoding) {
      item = null;
    }
    if (item == null || item.isEmpty() || item.length() > MAX_ITEM) {
      answer(exchange, 400, "frontend: give ?item= (1 to " + MAX_ITEM + " characters)\n", null);
      return;
    }
    try {
      FrontendOrders.Sent sent = orders.send(item);
      answer(
          exchange,
          200,
          "frontend sent order '"
              + item
              + "' to "
              + sent.topic()
              + ": partition "
              + sent.partition()
              + ", offset "
              + sent.offset()
              + "\n",
          null);
    } catch (FrontendOrders.NotReady e) {
      answer(exchange, 503, "frontend: " + e.getMessage() + "\n", null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      answer(exchange, 503, "frontend is stopping\n", null);
    } catch (Exception e) {
      answer(exchange, 502, "frontend could not send the order to Kafka: " + e + "\n", null);
    }
  }

  private static String queryParameter(String rawQuery, String name) {
    if (rawQuery == null) {
      return null;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
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
