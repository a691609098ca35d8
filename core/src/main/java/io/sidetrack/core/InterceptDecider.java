package io.sidetrack.core;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.core.trust.Verification;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides one registration against what is known of its workload: its own last state, and the
 * active intercept holding the same match signature, if any. Pure: the caller reads and writes the
 * stores.
 */
public final class InterceptDecider {
  private final InterceptValidator validator;
  private final Optional<TrustedKeys> trustedRouters;

  /** A decider that takes registrations whoever signed them (or none did). */
  public InterceptDecider(Limits limits) {
    this(limits, Optional.empty());
  }

  /**
   * A decider that, given trusted router keys, rejects every registration no trusted router signed,
   * before any other rule.
   */
  public InterceptDecider(Limits limits, Optional<TrustedKeys> trustedRouters) {
    this.validator = new InterceptValidator(requireNonNull(limits, "limits"));
    this.trustedRouters = requireNonNull(trustedRouters, "trustedRouters");
  }

  /**
   * Decides {@code incoming} at {@code now}.
   *
   * @param incoming the registration
   * @param existing the last state of the same workload and id, if any
   * @param holder the active intercept of the workload with the same signature, if any (may be
   *     {@code existing} itself)
   */
  public Decision decide(
      Intercept incoming,
      Optional<InterceptState> existing,
      Optional<InterceptState> holder,
      Instant now) {
    requireNonNull(incoming, "incoming");
    requireNonNull(now, "now");
    Optional<InterceptState> active = existing.filter(InterceptState::isActive);

    if (trustedRouters.isPresent()) {
      Verification v = trustedRouters.get().verify(incoming);
      if (!v.isTrusted()) {
        return reject(incoming, existing, active, Decision.Rejection.UNTRUSTED, v.reason(), now);
      }
    }
    Optional<String> problem = validator.problem(incoming, now);
    if (problem.isPresent()) {
      return reject(incoming, existing, active, Decision.Rejection.INVALID, problem.get(), now);
    }
    if (active.isPresent() && !active.get().intercept().owner().equals(incoming.owner())) {
      return reject(
          incoming,
          existing,
          active,
          Decision.Rejection.NOT_OWNER,
          "intercept id " + incoming.id() + " belongs to " + active.get().intercept().owner(),
          now);
    }
    Optional<InterceptState> otherHolder =
        holder.filter(h -> h.isActive() && !h.intercept().id().equals(incoming.id()));
    if (otherHolder.isPresent()) {
      Intercept h = otherHolder.get().intercept();
      String what = incoming.match().global() ? "the global intercept" : "the same match rules";
      return reject(
          incoming,
          existing,
          active,
          Decision.Rejection.CONFLICT,
          "conflicts with intercept " + h.id() + " of " + h.owner() + ": " + what,
          now);
    }
    if (active.isPresent()) {
      Intercept before = active.get().intercept();
      // The lease start stays that of the first registration so ties keep going to the older;
      // but a signed one's createdAt is part of what its router signed, and agents would refuse
      // the route if it changed (routers keep the first createdAt themselves).
      Intercept kept =
          incoming.signature().isSigned() ? incoming : incoming.withCreatedAt(before.createdAt());
      InterceptState next = new InterceptState(kept, InterceptStatus.ACTIVE, null, now);
      // A new signature (a rotated router key) is published, so agents get the route signed by it.
      return before.sameRoutingAs(incoming) && before.signature().equals(incoming.signature())
          ? new Decision(Decision.Outcome.RENEWED, next, before, null, null)
          : new Decision(Decision.Outcome.UPDATED, next, before, null, null);
    }
    return new Decision(
        Decision.Outcome.CREATED,
        new InterceptState(incoming, InterceptStatus.ACTIVE, null, now),
        null,
        null,
        null);
  }

  private static Decision reject(
      Intercept incoming,
      Optional<InterceptState> existing,
      Optional<InterceptState> active,
      Decision.Rejection kind,
      String reason,
      Instant now) {
    if (active.isPresent()) {
      // A bad update never takes down the intercept that is already routing.
      return new Decision(
          Decision.Outcome.REJECTED, active.get(), active.get().intercept(), reason, kind);
    }
    boolean same =
        existing
            .filter(e -> e.status() == InterceptStatus.REJECTED)
            .filter(e -> reason.equals(e.reason()) && e.intercept().sameRoutingAs(incoming))
            .isPresent();
    InterceptState next = new InterceptState(incoming, InterceptStatus.REJECTED, reason, now);
    return new Decision(
        same ? Decision.Outcome.STILL_REJECTED : Decision.Outcome.REJECTED,
        next,
        null,
        reason,
        kind);
  }

  /** Whether the lease of {@code state} has run out at {@code now}. */
  public static boolean isExpired(InterceptState state, Instant now) {
    return !state.intercept().expiresAt().isAfter(now);
  }
}
