#!/usr/bin/env bash
# The data plane beside nginx and HAProxy, in one run: wrk against the app, nginx, HAProxy and the
# edge agent, with 1 and with 100,000 routes, and the CPU each proxy spent per request.
# SIDETRACK_BENCH_TARGETS (a regex over the row names, e.g. "HAProxy.*|edge.*") runs a subset;
# SIDETRACK_BENCH_AGENT_OPTS adds JVM options to the agent; SIDETRACK_BENCH_STARTS (3) is how many
# agents are started, one after another, to time a start with many routes; SIDETRACK_BENCH_ROUNDS
# (2) is how many times each target is run, in turn, before the table of means.
#   loadtest/run-data-plane.sh [seconds-per-run] [many-routes]
# Needs nginx, haproxy and wrk (Debian: apt-get install nginx-light haproxy wrk) and jcmd.
# Build first: ./mvnw -DskipTests package
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for tool in nginx haproxy wrk jcmd; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "run-data-plane: $tool is missing (apt-get install nginx-light haproxy wrk)" >&2; exit 2; }
done
cp_file="$root/loadtest/target/classpath.txt"
jar="$(ls "$root"/loadtest/target/sidetrack-loadtest-*.jar 2>/dev/null | head -n 1 || true)"
if [[ ! -f "$cp_file" || -z "$jar" ]]; then
  echo "run-data-plane: build first: ./mvnw -DskipTests package" >&2
  exit 2
fi
export SIDETRACK_APICURIO_HOME="${SIDETRACK_APICURIO_HOME:-$root/embedded/target/apicurio}"
exec java -Xmx2g -Dsidetrack.root="$root" -cp "$jar:$(cat "$cp_file")" \
  io.sidetrack.loadtest.dataplane.DataPlaneBenchmark "$@"
