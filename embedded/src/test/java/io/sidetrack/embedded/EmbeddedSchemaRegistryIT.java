package io.sidetrack.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(180)
class EmbeddedSchemaRegistryIT {

  @Test
  void registryAnswersTheConfluentApi() throws Exception {
    Path log = Files.createTempFile("registry", ".log");
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(log, 0)) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> registered =
          http.send(
              HttpRequest.newBuilder(URI.create(registry.url() + "/subjects/smoke-value/versions"))
                  .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"\\\"string\\\"\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(registered.statusCode()).isEqualTo(200);
      assertThat(registered.body()).contains("\"id\"");
      HttpResponse<String> subjects =
          http.send(
              HttpRequest.newBuilder(URI.create(registry.url() + "/subjects")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(subjects.body()).contains("smoke-value");
    }
  }
}
