package io.sidetrack.cli.audit;

/** How a command prints its answer. */
public enum OutputFormat {
  table,
  json
}
