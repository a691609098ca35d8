package io.sidetrack.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.core.MatchRules;
import io.sidetrack.embedded.SharedInfrastructure;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** registry-stream on the real embedded broker and the real Apicurio registry. */
@Timeout(180)
class RegistryStreamIT extends ControlPlaneScenario {

  @Override
  String bootstrapServers() {
    return SharedInfrastructure.kafka();
  }

  @Override
  String schemaRegistryUrl() {
    return SharedInfrastructure.schemaRegistry();
  }

  @Test
  void decidesRegistrationsOnARealBrokerAndRegistry() throws Exception {
    decidesRegistrationsEndToEnd();
  }

  @Test
  void twoInstancesShareTheWorkAndEitherAnswersForAnyIntercept() throws Exception {
    String appId = "it-" + UUID.randomUUID();
    try (RegistryStreamApp a = RegistryStreamApp.start(config(appId));
        RegistryStreamApp b = RegistryStreamApp.start(config(appId));
        var producer = producer()) {
      awaitRunning(a, b);
      await().atMost(Duration.ofSeconds(60)).until(() -> activeTasks(a) > 0 && activeTasks(b) > 0);

      int count = 24;
      for (int i = 0; i < count; i++) {
        publish(
            producer,
            intercept(
                "i-" + i,
                "workload-" + i,
                "dev-" + i,
                MatchRules.header("x-sidetrack-id", "dev-" + i),
                Duration.ofMinutes(5)));
      }
      for (RegistryStreamApp asked : new RegistryStreamApp[] {a, b}) {
        for (int i = 0; i < count; i++) {
          String url = asked.url() + "/intercepts/i-" + i;
          await().atMost(Duration.ofSeconds(60)).until(() -> get(url).statusCode() == 200);
          assertThat(new JsonObject(get(url).body()).getString("status")).isEqualTo("ACTIVE");
          JsonObject routes =
              new JsonObject(get(asked.url() + "/workloads/workload-" + i + "/routes").body());
          assertThat(routes.getJsonArray("routes")).hasSize(1);
        }
        assertThat(new io.vertx.core.json.JsonArray(get(asked.url() + "/intercepts").body()))
            .hasSize(count);
      }
    }
  }

  private static long activeTasks(RegistryStreamApp app) {
    return app.streams().metadataForLocalThreads().stream()
        .mapToLong((ThreadMetadata t) -> t.activeTasks().size())
        .sum();
  }
}
