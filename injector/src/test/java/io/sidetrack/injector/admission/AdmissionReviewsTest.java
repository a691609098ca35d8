package io.sidetrack.injector.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidetrack.injector.Injector;
import io.sidetrack.injector.InjectorTest;
import io.sidetrack.testkit.JsonPatchApplier;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AdmissionReviewsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  final AdmissionReviews reviews = new AdmissionReviews(new Injector(InjectorTest.SETTINGS));

  static ObjectNode review(String operation, JsonNode object, boolean dryRun) {
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", "705ab4f5-6393-11e8-b7cc-42010a800002");
    request
        .putObject("kind")
        .put("group", "apps")
        .put("version", "v1")
        .put("kind", object.path("kind").asText());
    request.put("namespace", "shop").put("operation", operation).put("dryRun", dryRun);
    request.set("object", object);
    return review;
  }

  static ObjectNode optedIn() {
    return InjectorTest.deployment(
        "\"sidetrack.io/inject\":\"true\"", "{\"name\":\"http\",\"containerPort\":8080}", "");
  }

  static JsonNode patchOf(JsonNode response) throws Exception {
    return JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
  }

  @Test
  void createIsAllowedWithAPatchAndTheRequestUid() throws Exception {
    ObjectNode object = optedIn();
    JsonNode out = reviews.answer(review("CREATE", object, false)).review();
    JsonNode response = out.path("response");
    assertThat(out.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    assertThat(out.path("kind").asText()).isEqualTo("AdmissionReview");
    assertThat(response.path("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
    JsonNode patched = JsonPatchApplier.apply(object, patchOf(response));
    assertThat(patched.toString()).contains("sidetrack-agent");
  }

  @Test
  void dryRunUpdateIsAnsweredLikeARealOneAndAnInjectedObjectIsLeftAlone() throws Exception {
    ObjectNode object = optedIn();
    JsonNode dry = reviews.answer(review("UPDATE", object, true)).review().path("response");
    assertThat(dry.path("allowed").asBoolean()).isTrue();
    assertThat(dry.path("patchType").asText()).isEqualTo("JSONPatch");
    JsonNode injected = JsonPatchApplier.apply(object, patchOf(dry));
    JsonNode again = reviews.answer(review("UPDATE", injected, false)).review().path("response");
    assertThat(again.path("allowed").asBoolean()).isTrue();
    assertThat(again.has("patch")).isFalse();
    assertThat(again.has("warnings")).isFalse();
  }

  @Test
  void notOptedInIsAllowedUnchanged() throws Exception {
    ObjectNode object =
        InjectorTest.deployment("", "{\"name\":\"http\",\"containerPort\":8080}", "");
    JsonNode response = reviews.answer(review("CREATE", object, false)).review().path("response");
    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.has("patch")).isFalse();
    assertThat(response.has("warnings")).isFalse();
  }

  @Test
  void refusedIsAllowedUnchangedWithAWarning() throws Exception {
    ObjectNode object =
        InjectorTest.deployment("\"sidetrack.io/inject\":\"true\"", "{\"containerPort\":8080}", "");
    JsonNode response = reviews.answer(review("CREATE", object, false)).review().path("response");
    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.has("patch")).isFalse();
    assertThat(response.path("warnings").get(0).asText())
        .startsWith("sidetrack: ")
        .contains("Deployment shop/orders not injected")
        .contains("sidetrack.io/app-port-env");
  }

  @Test
  void podUpdateIsNeverPatched() throws Exception {
    JsonNode pod =
        JSON.readTree(
            """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p",
             "annotations":{"sidetrack.io/inject":"true"}},
             "spec":{"containers":[{"name":"app","image":"a","ports":[{"name":"http","containerPort":80}]}]}}
            """);
    JsonNode response = reviews.answer(review("UPDATE", pod, false)).review().path("response");
    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.has("patch")).isFalse();
    assertThat(response.path("warnings").get(0).asText()).contains("running Pod");
  }

  @Test
  void somethingElseIsMalformed() {
    assertThatThrownBy(() -> reviews.answer(JSON.readTree("{\"kind\":\"Pod\"}")))
        .isInstanceOf(MalformedReviewException.class);
    assertThatThrownBy(
            () ->
                reviews.answer(
                    JSON.readTree(
                        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                            + "\"request\":{}}")))
        .isInstanceOf(MalformedReviewException.class)
        .hasMessageContaining("uid");
  }
}
