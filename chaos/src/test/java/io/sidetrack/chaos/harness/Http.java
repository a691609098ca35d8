package io.sidetrack.chaos.harness;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** Small blocking HTTP calls the harness makes to the components' admin and API ports. */
public final class Http {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(3))
          .build();

  private Http() {}

  /** The status and body of a GET, or status -1 when nothing answered. */
  public static Response get(String url, String... headers) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
      for (int i = 0; i + 1 < headers.length; i += 2) {
        request.header(headers[i], headers[i + 1]);
      }
      HttpResponse<String> response =
          CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.body());
    } catch (java.io.IOException e) {
      return new Response(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Response(-1, e.toString());
    }
  }

  /**
   * The samples of a Prometheus text page: {@code name{labels}} to value (comments and non-numbers
   * dropped).
   */
  public static Map<String, Double> metrics(String url) {
    Map<String, Double> samples = new TreeMap<>();
    Response r = get(url);
    if (r.status() != 200) {
      return samples;
    }
    for (String line : r.body().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      if (space < 0) {
        continue;
      }
      try {
        samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      } catch (NumberFormatException e) {
        // not a sample
      }
    }
    return samples;
  }

  /** The sum of a metric's samples whose name and labels start with {@code prefix}. */
  public static double sum(Map<String, Double> samples, String prefix) {
    return samples.entrySet().stream()
        .filter(
            e ->
                e.getKey().equals(prefix)
                    || e.getKey().startsWith(prefix + "{")
                    || (prefix.contains("{") && e.getKey().startsWith(prefix)))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  public record Response(int status, String body) {}
}
