package io.sidetrack.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/** Waits for registry-stream's decision about an intercept through its query API. */
final class Decisions {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Decisions() {}

  /** Prints the decision; 0 when active, 1 when rejected, expired or not decided in time. */
  static int await(String apiUrl, String id, Instant publishedAt, PrintWriter out)
      throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(apiUrl + "/intercepts/" + id))
            .timeout(Duration.ofSeconds(5))
            .build();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    String lastProblem = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          JsonNode state = JSON.readTree(response.body());
          Instant decidedAt = Instant.parse(state.path("decidedAt").asText());
          if (!decidedAt.isBefore(publishedAt.minusSeconds(1))) {
            String status = state.path("status").asText();
            if ("ACTIVE".equals(status)) {
              out.println(
                  "ACTIVE: " + id + " takes matching requests to " + state.path("target").asText());
              return 0;
            }
            out.println(status + ": " + state.path("reason").asText());
            return 1;
          }
        }
        lastProblem = "HTTP " + response.statusCode();
      } catch (IOException e) {
        lastProblem = "query API unreachable at " + apiUrl + ": " + e.getMessage();
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "no decision about " + id + " within " + TIMEOUT.toSeconds() + "s (" + lastProblem + ")");
  }
}
