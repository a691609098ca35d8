#!/usr/bin/env bash
# The edge agent as a sidecar: started by bin/sidetrack edge-agent with its shipped JVM options
# (bin/edge-agent.jvm-options) and 1,000 routes, its RSS (VmRSS, VmHWM) idle and under a fixed
# 1,000 requests/s (hey -q; SIDETRACK_BENCH_RATE changes it), and its CPU per request beside
# HAProxy's at the same rate. Target: RSS <= 96 MB.
#   loadtest/run-sidecar-rss.sh [seconds-of-load (30)] [routes (1000)]
# Needs hey and haproxy (Debian: apt-get install hey haproxy) and jcmd.
# Build first: ./mvnw -DskipTests package
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for tool in hey haproxy jcmd; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "run-sidecar-rss: $tool is missing (apt-get install hey haproxy)" >&2; exit 2; }
done
cp_file="$root/loadtest/target/classpath.txt"
jar="$(ls "$root"/loadtest/target/sidetrack-loadtest-*.jar 2>/dev/null | head -n 1 || true)"
if [[ ! -f "$cp_file" || -z "$jar" ]]; then
  echo "run-sidecar-rss: build first: ./mvnw -DskipTests package" >&2
  exit 2
fi
export SIDETRACK_APICURIO_HOME="${SIDETRACK_APICURIO_HOME:-$root/embedded/target/apicurio}"
export SIDETRACK_BENCH_MODE=rss
exec java -Xmx2g -Dsidetrack.root="$root" -cp "$jar:$(cat "$cp_file")" \
  io.sidetrack.loadtest.dataplane.DataPlaneBenchmark "$@"
