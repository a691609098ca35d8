package io.sidetrack.injector.admission;

/**
 * Thrown when a request body is not an AdmissionReview {@code admission.k8s.io/v1} with a request
 * and its uid. The server answers 400 with the message; kube-apiserver never sends such a body, so
 * the caller is something else.
 */
public final class MalformedReviewException extends Exception {
  public MalformedReviewException(String message) {
    super(message, null, false, false);
  }
}
