#!/usr/bin/env bash
# The developer's side on the embedded stack: time from asking for an intercept to "active", the
# latency an intercepted request adds over calling the local app directly, and the tunnel's
# throughput for one large body each way.
#   loadtest/run-tunnel.sh [activations] [requests] [body-MiB] [cli-runs]  (defaults 50 20000 1024 10)
# cli-runs times `bin/sidetrack intercept` as a process, from its start to its "Active" line.
# Build first: ./mvnw -DskipTests package
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cp_file="$root/loadtest/target/classpath.txt"
jar="$(ls "$root"/loadtest/target/sidetrack-loadtest-*.jar 2>/dev/null | head -n 1 || true)"
if [[ ! -f "$cp_file" || -z "$jar" ]]; then
  echo "run-tunnel: build first: ./mvnw -DskipTests package" >&2
  exit 2
fi
export SIDETRACK_APICURIO_HOME="${SIDETRACK_APICURIO_HOME:-$root/embedded/target/apicurio}"
exec java -Xmx1g -Dsidetrack.root="$root" -cp "$jar:$(cat "$cp_file")" io.sidetrack.loadtest.tunnel.TunnelBenchmark "$@"
