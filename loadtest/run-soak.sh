#!/usr/bin/env bash
# The soak: the whole cluster of real processes (Kafka, the schema registry, two registry-stream
# instances, two routers, three edge agents behind a round-robin front, developers' CLIs) under a
# fixed load, intercepts starting and ending every 15 s, every process's RSS and heap sampled
# every 30 s. The same test as the 3-minute run of the slow profile (chaos/.../SoakIT), longer.
#   loadtest/run-soak.sh [minutes] [requests-per-second]
# Defaults: 30 minutes at 100 requests/s. Figures: chaos/target/chaos/figures.md and
# chaos/target/chaos/soak-*/soak-memory.md; every process's output in chaos/target/chaos/soak-*/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
minutes="${1:-30}"
rate="${2:-100}"
if ! [[ "$minutes" =~ ^[0-9]+([.][0-9]+)?$ && "$rate" =~ ^[0-9]+$ ]]; then
  echo "usage: loadtest/run-soak.sh [minutes] [requests-per-second]" >&2
  exit 2
fi
cd "$root"
# builds what bin/sidetrack runs (the CLI's jar and classpath) and runs only the soak
exec ./mvnw -q verify -Pslow -pl chaos -am \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=SoakIT -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dspotless.check.skip=true \
  -Dsidetrack.soak.minutes="$minutes" -Dsidetrack.chaos.rate="$rate"
