#!/usr/bin/env bash
# Writes the metric names a running compose stack's components serve at /metrics into
# deploy/src/test/resources/metrics/, the lists DashboardTest checks the Grafana dashboard against.
# Run it against a stack with an intercept relayed once, after changing a component's meters.
# AGENT_ADMIN_PORT, ROUTER_PORT, REGISTRY_STREAM_PORT: the stack's host ports (compose defaults).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/deploy/src/test/resources/metrics"
mkdir -p "$out"
for pair in "edge-agent:${AGENT_ADMIN_PORT:-9901}" "router:${ROUTER_PORT:-8070}" \
  "registry-stream:${REGISTRY_STREAM_PORT:-8090}"; do
  name="${pair%%:*}"
  port="${pair##*:}"
  body="$(curl -fsS -m 10 "http://localhost:$port/metrics")" || {
    echo "capture-metrics: no /metrics from $name on localhost:$port" >&2
    exit 1
  }
  {
    echo "# Metric names served at /metrics by a running $name (compose stack), one a line:"
    echo "# re-capture with compose/capture-metrics.sh when the code's meters change."
    grep -v '^#' <<< "$body" | sed 's/[{ ].*//' | sort -u
  } > "$out/$name.txt"
  echo "$out/$name.txt: $(grep -vc '^#' "$out/$name.txt") names"
done
