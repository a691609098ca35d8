package io.sidetrack.cli.up;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class DemoWorkloadTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> get(DemoWorkload demo, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demo.port() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void listsWhatItsConsumerProcessedOneALineAndAnswersOtherPathsAsTheCluster() throws Exception {
    List<String> processed = new ArrayList<>();
    try (DemoWorkload demo = DemoWorkload.start(() -> List.copyOf(processed))) {
      assertThat(get(demo, "/processed").body()).isEmpty();
      processed.add("demo.orders-0@0 book");
      processed.add("demo.orders-0@2 pen");
      HttpResponse<String> r = get(demo, "/processed");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("demo.orders-0@0 book\ndemo.orders-0@2 pen\n");
      assertThat(get(demo, "/hello").body())
          .isEqualTo(DemoWorkload.DEFAULT_TEXT + ": GET /hello\n");
    }
  }

  @Test
  void withoutAConsumerProcessedIsAPathLikeAnyOther() throws Exception {
    try (DemoWorkload demo = DemoWorkload.start("127.0.0.1", 0, "T")) {
      assertThat(get(demo, "/processed").body()).isEqualTo("T: GET /processed\n");
    }
  }
}
