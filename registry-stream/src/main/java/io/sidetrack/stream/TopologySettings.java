package io.sidetrack.stream;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.sidetrack.core.Limits;
import io.sidetrack.core.Topics;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.Optional;

/**
 * What {@link RegistryTopology#build} needs: topic names, the schema registry, the rules' limits,
 * how often leases are checked, where metrics go, and the routers whose signatures it trusts (none
 * given: registrations are taken unverified).
 */
public record TopologySettings(
    Topics.Names topics,
    SchemaRegistryClient schemaRegistry,
    Limits limits,
    Duration leaseCheckInterval,
    MeterRegistry meters,
    Optional<TrustedKeys> trustedRouters) {

  public static final Duration DEFAULT_LEASE_CHECK_INTERVAL = Duration.ofSeconds(1);

  public TopologySettings {
    requireNonNull(topics, "topics");
    requireNonNull(schemaRegistry, "schemaRegistry");
    requireNonNull(limits, "limits");
    requireNonNull(leaseCheckInterval, "leaseCheckInterval");
    requireNonNull(meters, "meters");
    requireNonNull(trustedRouters, "trustedRouters");
  }

  /** Settings that take registrations without verifying who signed them. */
  public TopologySettings(
      Topics.Names topics,
      SchemaRegistryClient schemaRegistry,
      Limits limits,
      Duration leaseCheckInterval,
      MeterRegistry meters) {
    this(topics, schemaRegistry, limits, leaseCheckInterval, meters, Optional.empty());
  }

  /** These settings, rejecting every registration none of {@code keys} signed. */
  public TopologySettings withTrustedRouters(TrustedKeys keys) {
    return new TopologySettings(
        topics, schemaRegistry, limits, leaseCheckInterval, meters, Optional.of(keys));
  }
}
