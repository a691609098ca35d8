#!/usr/bin/env bash
# Times `sidetrack replay` over N audit events on the embedded broker (default 1,000,000).
#   loadtest/run-replay.sh [events]
# Build first: ./mvnw -DskipTests package
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cp_file="$root/loadtest/target/classpath.txt"
jar="$(ls "$root"/loadtest/target/sidetrack-loadtest-*.jar 2>/dev/null | head -n 1 || true)"
if [[ ! -f "$cp_file" || -z "$jar" ]]; then
  echo "run-replay: build first: ./mvnw -DskipTests package" >&2
  exit 2
fi
export SIDETRACK_APICURIO_HOME="${SIDETRACK_APICURIO_HOME:-$root/embedded/target/apicurio}"
exec java -Xmx1g -cp "$jar:$(cat "$cp_file")" io.sidetrack.loadtest.audit.ReplayBenchmark "$@"
