package io.sidetrack.stream;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.sidetrack.core.Limits;
import io.sidetrack.core.Topics;
import io.sidetrack.schemas.registry.SchemaRegistryClient;
import java.time.Duration;

/**
 * What {@link RegistryTopology#build} needs: topic names, the schema registry, the rules' limits,
 * how often leases are checked, and where metrics go.
 */
public record TopologySettings(
    Topics.Names topics,
    SchemaRegistryClient schemaRegistry,
    Limits limits,
    Duration leaseCheckInterval,
    MeterRegistry meters) {

  public static final Duration DEFAULT_LEASE_CHECK_INTERVAL = Duration.ofSeconds(1);

  public TopologySettings {
    requireNonNull(topics, "topics");
    requireNonNull(schemaRegistry, "schemaRegistry");
    requireNonNull(limits, "limits");
    requireNonNull(leaseCheckInterval, "leaseCheckInterval");
    requireNonNull(meters, "meters");
  }
}
