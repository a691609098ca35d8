package io.sidetrack.router.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTClaimsSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a verified JWT's claims name a developer: the identity claim is the owner (no fallback to
 * another claim, so that one claim's value cannot pass for another's), and the workloads are those
 * of the workloads claim plus those {@code groupWorkloads} gives the groups of the groups claim.
 *
 * @param identityClaim e.g. {@code preferred_username}
 * @param workloadsClaim e.g. {@code sidetrack_workloads}: a JSON array, or a string of space- or
 *     comma-separated names
 * @param groupsClaim e.g. {@code groups}
 * @param groupWorkloads each group's workloads ({@code *}: all)
 */
public record ClaimMapping(
    String identityClaim,
    String workloadsClaim,
    String groupsClaim,
    Map<String, Set<String>> groupWorkloads) {
  public ClaimMapping {
    requireNonNull(identityClaim, "identityClaim");
    requireNonNull(workloadsClaim, "workloadsClaim");
    requireNonNull(groupsClaim, "groupsClaim");
    Map<String, Set<String>> copy = new LinkedHashMap<>();
    requireNonNull(groupWorkloads, "groupWorkloads").forEach((g, w) -> copy.put(g, Set.copyOf(w)));
    groupWorkloads = Map.copyOf(copy);
  }

  /**
   * The developer {@code claims} name.
   *
   * @throws AuthenticationException when the identity claim is missing or unusable as an owner
   */
  Tokens.Identity identity(JWTClaimsSet claims) {
    Object name = claims.getClaim(identityClaim);
    if (!(name instanceof String s) || s.isEmpty()) {
      throw new AuthenticationException(
          "JWT has no '" + identityClaim + "' claim to name its owner by");
    }
    if (!s.matches(Tokens.IDENTITY_PATTERN)) {
      throw new AuthenticationException(
          "JWT claim "
              + identityClaim
              + "='"
              + s
              + "' is not a usable owner name (letters, digits and . _ @ - only, at most 64)");
    }
    Set<String> workloads = new LinkedHashSet<>(strings(claims.getClaim(workloadsClaim)));
    for (String group : strings(claims.getClaim(groupsClaim))) {
      workloads.addAll(groupWorkloads.getOrDefault(group, Set.of()));
    }
    return new Tokens.Identity(s, Set.copyOf(workloads));
  }

  /** A claim as strings: a JSON array of them, or one string of space- or comma-separated ones. */
  static List<String> strings(Object claim) {
    if (claim instanceof String s) {
      return List.of(s.trim().split("[\\s,]+")).stream().filter(x -> !x.isEmpty()).toList();
    }
    if (claim instanceof List<?> list) {
      return list.stream().filter(String.class::isInstance).map(String.class::cast).toList();
    }
    return List.of();
  }
}
