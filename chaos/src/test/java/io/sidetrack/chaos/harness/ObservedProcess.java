package io.sidetrack.chaos.harness;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * A process of the cluster under test, as the soak samples it and a failure names it: a {@link
 * SidetrackProcess}, or a Kafka node that {@link ClusterKafka} runs.
 */
public interface ObservedProcess {
  String name();

  /** Where its output goes. */
  Path log();

  /** Resident memory of the process and its descendants, in bytes; empty once it has ended. */
  OptionalLong rssBytes();
}
