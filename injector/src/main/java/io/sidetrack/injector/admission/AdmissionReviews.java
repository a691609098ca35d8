package io.sidetrack.injector.admission;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidetrack.injector.Injection;
import io.sidetrack.injector.Injector;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The mutating webhook's answer to one AdmissionReview ({@code admission.k8s.io/v1}): always
 * allowed, with the JSON Patch that adds the agent when there is one, and a warning when an
 * opted-in object could not be injected (admission is never blocked: the object goes in unchanged).
 * Pure.
 *
 * <p>Only CREATE and UPDATE are patched; a Pod's UPDATE never is, as a running Pod's containers
 * cannot change. Dry-run requests are answered the same way (the webhook has no side effects).
 */
public final class AdmissionReviews {
  /** The API version of reviews in and out. */
  public static final String API_VERSION = "admission.k8s.io/v1";

  /** Prefix of every warning, so that a user sees where it comes from. */
  public static final String WARNING_PREFIX = "sidetrack: ";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Injector injector;

  public AdmissionReviews(Injector injector) {
    this.injector = requireNonNull(injector, "injector");
  }

  /** What one review comes to. */
  public record Outcome(ObjectNode review, String summary, boolean patched) {}

  /**
   * The AdmissionReview answering {@code review}.
   *
   * @throws MalformedReviewException when {@code review} is not an AdmissionReview v1 request
   */
  public Outcome answer(JsonNode review) throws MalformedReviewException {
    if (review == null || !review.isObject()) {
      throw new MalformedReviewException("not a JSON object");
    }
    if (!"AdmissionReview".equals(review.path("kind").asText())
        || !API_VERSION.equals(review.path("apiVersion").asText())) {
      throw new MalformedReviewException("not an AdmissionReview " + API_VERSION);
    }
    JsonNode request = review.path("request");
    String uid = request.path("uid").asText("");
    if (uid.isEmpty()) {
      throw new MalformedReviewException("no request.uid");
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("apiVersion", API_VERSION).put("kind", "AdmissionReview");
    ObjectNode response = out.putObject("response");
    response.put("uid", uid).put("allowed", true);

    String operation = request.path("operation").asText("");
    String kind =
        request.path("kind").path("kind").asText(request.path("object").path("kind").asText("?"));
    String name = name(request);
    String what = kind + " " + name;
    JsonNode object = request.get("object");
    if (!operation.equals("CREATE") && !operation.equals("UPDATE")) {
      return new Outcome(out, what + ": " + operation + " not patched", false);
    }
    if (object == null || !object.isObject()) {
      return new Outcome(out, what + ": no object", false);
    }
    Injection injection;
    try {
      injection = injector.inject(object);
    } catch (RuntimeException e) {
      // a bug must not block admission: the object goes in unchanged, with a warning
      injection = new Injection.Refused("injector failed: " + e);
    }
    if (operation.equals("UPDATE") && kind.equals("Pod")) {
      if (injection instanceof Injection.Injected) {
        warn(
            response,
            what
                + " not injected: a running Pod's containers cannot change; delete it and let it"
                + " be created again");
      }
      return new Outcome(out, what + ": Pod UPDATE not patched", false);
    }
    if (injection instanceof Injection.Injected injected) {
      response.put("patchType", "JSONPatch");
      response.put(
          "patch",
          Base64.getEncoder()
              .encodeToString(injected.patch().toString().getBytes(StandardCharsets.UTF_8)));
      return new Outcome(out, what + ": injected, " + injected.summary(), true);
    }
    if (injection instanceof Injection.Refused refused) {
      warn(response, what + " not injected: " + refused.reason());
      return new Outcome(out, what + ": refused, " + refused.reason(), false);
    }
    return new Outcome(out, what + ": " + ((Injection.Skipped) injection).reason(), false);
  }

  private static void warn(ObjectNode response, String warning) {
    ArrayNode warnings =
        response.get("warnings") instanceof ArrayNode a ? a : response.putArray("warnings");
    warnings.add(WARNING_PREFIX + warning);
  }

  /** {@code namespace/name} of the request (generateName* for a Pod not named yet). */
  private static String name(JsonNode request) {
    String namespace = request.path("namespace").asText("");
    String name = request.path("name").asText("");
    if (name.isEmpty()) {
      name = request.path("object").path("metadata").path("name").asText("");
    }
    if (name.isEmpty()) {
      name = request.path("object").path("metadata").path("generateName").asText("") + "*";
    }
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }
}
