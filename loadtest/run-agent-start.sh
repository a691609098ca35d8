#!/usr/bin/env bash
# How soon a new edge agent replica is ready with many routes of its workload on the topic, started
# as a process (bin/sidetrack edge-agent) and as a container of the shipped image (podman run), in
# one run: loadtest/run-agent-start.sh [routes, default 100000] [starts, default 5]
# SIDETRACK_BENCH_IMAGE names the image (default localhost/sidetrack:latest; build it with
# deploy/images/build.sh); without podman or the image, only processes are timed.
# SIDETRACK_BENCH_JAVA_HOMES=JDK[;JDK...] starts the process on those JDKs too, alternating with the
# default (e.g. /usr/lib/jvm/temurin-25-jdk-amd64: bin/sidetrack maps an AOT cache on Java 25).
# BENCH_JAVA_OPTS=-Dsidetrack.bench.serve=SECONDS writes the routes, prints the agent's command line
# and keeps Kafka, the registry and registry-stream up that long, to start (and profile) agents by hand.
# Build first: ./mvnw -DskipTests package
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cp_file="$root/loadtest/target/classpath.txt"
jar="$(ls "$root"/loadtest/target/sidetrack-loadtest-*.jar 2>/dev/null | head -n 1 || true)"
if [[ ! -f "$cp_file" || -z "$jar" ]]; then
  echo "run-agent-start: build first: ./mvnw -DskipTests package" >&2
  exit 2
fi
export SIDETRACK_APICURIO_HOME="${SIDETRACK_APICURIO_HOME:-$root/embedded/target/apicurio}"
exec java -Xmx2g ${BENCH_JAVA_OPTS:-} -Dsidetrack.root="$root" -cp "$jar:$(cat "$cp_file")" \
  io.sidetrack.loadtest.startup.AgentStartBenchmark "$@"
