#!/usr/bin/env bash
# JMH benchmarks of the edge agent: its matcher (RouteTableBenchmark) and the signature check of a
# route entry beside the JDK's (RouteSignatureBenchmark); of the Kafka consumer interceptor: ns per
# record no intercept claims (ConsumerInterceptorBenchmark); a real consumer's records/s with and
# without it is loadtest/run-consumer-throughput.sh.
#   loadtest/run-jmh.sh [BENCHMARK REGEX] [JMH options, e.g. -wi 1 -i 3]   (default: RouteTableBenchmark)
# Build first: ./mvnw -DskipTests package
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cp_file="$root/loadtest/target/classpath.txt"
jar="$(ls "$root"/loadtest/target/sidetrack-loadtest-*.jar 2>/dev/null | head -n 1 || true)"
if [[ ! -f "$cp_file" || -z "$jar" ]]; then
  echo "run-jmh: build first: ./mvnw -DskipTests package" >&2
  exit 2
fi
which=RouteTableBenchmark
if [[ $# -gt 0 && "$1" != -* ]]; then
  which="$1"
  shift
fi
exec java -cp "$jar:$(cat "$cp_file")" org.openjdk.jmh.Main "$which" "$@"
