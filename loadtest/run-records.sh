#!/usr/bin/env bash
# The queue split's delivery on the embedded stack: latency of a diverted record from the cluster's
# broker to a consumer of the laptop's broker (router, tunnel, CLI writer), and a burst's throughput.
#   loadtest/run-records.sh [records] [rate/s] [burst] [value-bytes]  (defaults 5000 200 50000 1024)
# Build first: ./mvnw -DskipTests package
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cp_file="$root/loadtest/target/classpath.txt"
jar="$(ls "$root"/loadtest/target/sidetrack-loadtest-*.jar 2>/dev/null | head -n 1 || true)"
if [[ ! -f "$cp_file" || -z "$jar" ]]; then
  echo "run-records: build first: ./mvnw -DskipTests package" >&2
  exit 2
fi
export SIDETRACK_APICURIO_HOME="${SIDETRACK_APICURIO_HOME:-$root/embedded/target/apicurio}"
exec java -Xmx1g -cp "$jar:$(cat "$cp_file")" io.sidetrack.loadtest.tunnel.RecordRelayBenchmark "$@"
