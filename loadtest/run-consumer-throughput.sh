#!/usr/bin/env bash
# A Kafka consumer's records/s with Sidetrack's consumer interceptor (1 and 10,000 intercepts of its
# workload) beside one without, rows interleaved round by round, the broker in a process of its own.
#   loadtest/run-consumer-throughput.sh [rounds, default 15] [records, default 300000]
# Build first: ./mvnw -DskipTests package
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cp_file="$root/loadtest/target/classpath.txt"
jar="$(ls "$root"/loadtest/target/sidetrack-loadtest-*.jar 2>/dev/null | head -n 1 || true)"
if [[ ! -f "$cp_file" || -z "$jar" ]]; then
  echo "run-consumer-throughput: build first: ./mvnw -DskipTests package" >&2
  exit 2
fi
exec java -Xmx1g -cp "$jar:$(cat "$cp_file")" io.sidetrack.loadtest.records.ConsumerThroughputRun "$@"
