package io.sidetrack.core;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.trust.RouteSignature;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A developer's request to take some of a workload's traffic: the core form of an {@code
 * InterceptRegistration}.
 *
 * @param id intercept id, unique across the cluster
 * @param workload the workload whose traffic is taken
 * @param owner authenticated identity of the developer
 * @param match which requests are taken
 * @param target where matched requests go (the router holding the developer's tunnel)
 * @param createdAt when the intercept was first registered; ties go to the older intercept
 * @param expiresAt end of the lease unless renewed
 * @param failureMode what agents do when the target is unreachable
 * @param labels free-form labels
 * @param signature the router's signature over what it says ({@link
 *     io.sidetrack.core.trust.RouteStatement}), or {@link RouteSignature#NONE}
 * @param topics Kafka topics whose records, consumed by the workload, are taken by the same rules
 *     as requests (the queue split); sorted, each once; empty for an HTTP-only intercept
 */
public record Intercept(
    String id,
    String workload,
    String owner,
    MatchRules match,
    String target,
    Instant createdAt,
    Instant expiresAt,
    FailureMode failureMode,
    Map<String, String> labels,
    RouteSignature signature,
    List<String> topics) {

  public Intercept {
    requireNonNull(id, "id");
    requireNonNull(workload, "workload");
    requireNonNull(owner, "owner");
    requireNonNull(match, "match");
    requireNonNull(target, "target");
    requireNonNull(createdAt, "createdAt");
    requireNonNull(expiresAt, "expiresAt");
    requireNonNull(failureMode, "failureMode");
    labels = Map.copyOf(requireNonNull(labels, "labels"));
    requireNonNull(signature, "signature");
    topics = canonicalTopics(topics);
  }

  /** An intercept of requests only (no topics). */
  public Intercept(
      String id,
      String workload,
      String owner,
      MatchRules match,
      String target,
      Instant createdAt,
      Instant expiresAt,
      FailureMode failureMode,
      Map<String, String> labels,
      RouteSignature signature) {
    this(
        id,
        workload,
        owner,
        match,
        target,
        createdAt,
        expiresAt,
        failureMode,
        labels,
        signature,
        List.of());
  }

  /**
   * {@code topics} sorted, each once: one canonical form, so that what a router signs is what a
   * reader decodes, whatever order the developer gave.
   */
  public static List<String> canonicalTopics(List<String> topics) {
    requireNonNull(topics, "topics");
    if (topics.isEmpty()) {
      return List.of();
    }
    return List.copyOf(new TreeSet<>(topics));
  }

  /** An unsigned intercept. */
  public Intercept(
      String id,
      String workload,
      String owner,
      MatchRules match,
      String target,
      Instant createdAt,
      Instant expiresAt,
      FailureMode failureMode,
      Map<String, String> labels) {
    this(
        id,
        workload,
        owner,
        match,
        target,
        createdAt,
        expiresAt,
        failureMode,
        labels,
        RouteSignature.NONE);
  }

  /** Key of this intercept in the per-workload stores and in {@code sidetrack.routes}. */
  public String routeKey() {
    return RouteKeys.routeKey(workload, id);
  }

  /** This intercept with another lease end. */
  public Intercept withExpiresAt(Instant newExpiresAt) {
    return new Intercept(
        id,
        workload,
        owner,
        match,
        target,
        createdAt,
        newExpiresAt,
        failureMode,
        labels,
        signature,
        topics);
  }

  /** This intercept with another creation time. */
  public Intercept withCreatedAt(Instant newCreatedAt) {
    return new Intercept(
        id,
        workload,
        owner,
        match,
        target,
        newCreatedAt,
        expiresAt,
        failureMode,
        labels,
        signature,
        topics);
  }

  /** This intercept carrying another signature. */
  public Intercept withSignature(RouteSignature newSignature) {
    return new Intercept(
        id,
        workload,
        owner,
        match,
        target,
        createdAt,
        expiresAt,
        failureMode,
        labels,
        newSignature,
        topics);
  }

  /** This intercept taking the records of {@code newTopics} too. */
  public Intercept withTopics(List<String> newTopics) {
    return new Intercept(
        id,
        workload,
        owner,
        match,
        target,
        createdAt,
        expiresAt,
        failureMode,
        labels,
        signature,
        newTopics);
  }

  /** Whether the two differ in anything but their lease (createdAt and expiresAt) and signature. */
  public boolean sameRoutingAs(Intercept other) {
    return id.equals(other.id)
        && workload.equals(other.workload)
        && owner.equals(other.owner)
        && match.equals(other.match)
        && target.equals(other.target)
        && failureMode == other.failureMode
        && labels.equals(other.labels)
        && topics.equals(other.topics);
  }
}
