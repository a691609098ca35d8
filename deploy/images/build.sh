#!/usr/bin/env bash
# Builds the container image localhost/sidetrack:<version> (and :latest) with podman, from the CLI's
# release archive the build made (cli/target/sidetrack-<version>.tar.gz). No daemon, no registry:
# by default the image's base is made here, a jlinked Java runtime (with its CDS archive) and
# the few host libraries and tools it needs, FROM scratch. See deploy/images/README.md.
#
# Usage: deploy/images/build.sh [ARCHIVE]
#   SIDETRACK_IMAGE_BASE=IMAGE  build on that base instead (a Java 17+ runtime with bash and
#                               coreutils, JAVA_HOME set, e.g. docker.io/library/eclipse-temurin:25-jre)
#   SIDETRACK_IMAGE=NAME        image name (default localhost/sidetrack)
#   SIDETRACK_IMAGE_JDK=DIR     jlink the base's runtime from this JDK (default: the newest JDK here
#                               that can, Java 25 or later preferred for its AOT cache)
#   SIDETRACK_IMAGE_CDS=off     skip recording the edge agent's start-up archive into the image
#   SIDETRACK_IMAGE_TRAINING=off  record it without Kafka instead of from a first read of routes
#   SIDETRACK_IMAGE_TRAINING_ROUTES=N  routes of that first read (default 20000)
#   PODMAN=COMMAND              the podman to run (default podman)
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root="$(cd "$here/../.." && pwd)"
podman="${PODMAN:-podman}"
name="${SIDETRACK_IMAGE:-localhost/sidetrack}"
fail() {
  echo "build.sh: $*" >&2
  exit 2
}

if ! command -v "$podman" >/dev/null 2>&1; then
  fail "podman not found: install it (Debian: apt-get install -y podman runc) - see deploy/images/README.md"
fi
archive="${1:-}"
if [[ -z "$archive" ]]; then
  archive="$(ls "$root"/cli/target/sidetrack-*.tar.gz 2>/dev/null | head -n 1 || true)"
  [[ -n "$archive" ]] || fail "no release archive in $root/cli/target: run './mvnw -DskipTests package' first"
fi
[[ -f "$archive" ]] || fail "$archive: no such file"
version="$(basename "$archive" .tar.gz)"
version="${version#sidetrack-}"

work="$root/deploy/images/target"
context="$work/context"
rm -rf "$context"
mkdir -p "$context"
started=$(date +%s)

# The application: the archive minus what only `sidetrack up` runs on a laptop (Apicurio, the
# OpenTelemetry agent of its demo).
tar -xzf "$archive" -C "$context"
mv "$context/sidetrack-$version" "$context/sidetrack"
rm -rf "$context/sidetrack/apicurio" "$context/sidetrack/lib/javaagent"
mkdir -p "$context/sidetrack/cds"

# a JDK's feature release (17, 25, ...), from its release file
release_of() {
  sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" 2>/dev/null || true
}
# The JDK whose runtime the base gets: SIDETRACK_IMAGE_JDK, else the newest that can jlink among
# JAVA_HOME, the `java` on the PATH and /usr/lib/jvm/*. On Java 25 or later the edge agent starts
# from an AOT cache (classes loaded and linked, methods' profiles), about 0.4 s sooner than from
# Java 17's AppCDS archive with 100,000 routes (loadtest/RESULTS.md).
jdk="${SIDETRACK_IMAGE_JDK:-}"
if [[ -z "$jdk" && -z "${SIDETRACK_IMAGE_BASE:-}" ]]; then
  best=0
  path_java="$(command -v java || true)"
  for candidate in ${JAVA_HOME:+"$JAVA_HOME"} ${path_java:+"$(dirname "$(dirname "$(readlink -f "$path_java")")")"} /usr/lib/jvm/*; do
    [[ -x "$candidate/bin/jlink" ]] || continue
    release="$(release_of "$candidate")"
    release="${release:-0}"
    # before Java 24, jlink needs the JDK's jmods; from 24 on a JDK may link its own run-time image
    [[ -d "$candidate/jmods" ]] || (( release >= 24 )) || continue
    if (( release > best )); then
      best="$release"
      jdk="$candidate"
    fi
  done
  [[ -n "$jdk" ]] || fail "no JDK with jlink (and, before Java 24, its jmods) found: install one (Debian: apt-get install -y openjdk-17-jdk-headless openjdk-17-jmods) or set SIDETRACK_IMAGE_JDK"
fi
base="${SIDETRACK_IMAGE_BASE:-}"
runtime="localhost/sidetrack-runtime:$version-java$(release_of "${jdk:-/nonexistent}")"
if [[ -z "$base" ]] && "$podman" image exists "$runtime" && [[ "${SIDETRACK_IMAGE_REBUILD_RUNTIME:-}" != "yes" ]]; then
  # made by an earlier run for this version and JDK (SIDETRACK_IMAGE_REBUILD_RUNTIME=yes makes it again)
  base="$runtime"
elif [[ -z "$base" ]]; then
  # The base made here: a jlinked runtime, FROM scratch.
  [[ -x "$jdk/bin/jlink" ]] || fail "no jlink in $jdk: point SIDETRACK_IMAGE_JDK at a JDK 17 or later"
  echo "build.sh: the runtime is jlinked from $jdk (Java $(release_of "$jdk"))" >&2
  rootfs="$work/rootfs"
  rm -rf "$rootfs"
  mkdir -p "$rootfs/opt" "$rootfs/etc" "$rootfs/tmp" "$rootfs/usr/bin" "$rootfs/bin"
  # What the services, Kafka's client and Streams (RocksDB), Netty and TLS use; the JDK's own CDS
  # archive of its classes (--generate-cds-archive) makes every JVM start sooner.
  modules=java.base,java.compiler,java.instrument,java.logging,java.management,java.management.rmi
  modules+=,java.desktop,java.naming,java.net.http,java.rmi,java.scripting,java.security.jgss,java.security.sasl
  modules+=,java.sql,java.transaction.xa,java.xml,jdk.crypto.cryptoki,jdk.crypto.ec,jdk.jfr
  modules+=,jdk.management,jdk.net,jdk.security.auth,jdk.unsupported,jdk.zipfs,jdk.localedata
  "$jdk/bin/jlink" --add-modules "$modules" --include-locales=en --strip-debug --no-man-pages \
    --no-header-files --generate-cds-archive --output "$rootfs/opt/java"
  # Debian's JDK keeps its trust store outside the JDK: give the runtime the host's CA list
  for f in cacerts; do
    if [[ -f "$jdk/lib/security/$f" ]]; then
      rm -f "$rootfs/opt/java/lib/security/$f"
      cp -L "$jdk/lib/security/$f" "$rootfs/opt/java/lib/security/$f"
    fi
  done
  # The launcher is a bash script: bash and the coreutils it calls, from this host.
  tools=(bash sh readlink dirname basename ls head cat tr grep mkdir date stat rm mv sed env sleep)
  binaries=()
  for tool in "${tools[@]}"; do
    path="$(command -v "$tool" || true)"
    [[ "$path" == /* ]] || fail "$tool not found on this host"
    binaries+=("$(readlink -f "$path")")
    cp -L "$path" "$rootfs/usr/bin/$tool"
  done
  # Every shared library the runtime, the tools and the services' native code (RocksDB, Snappy,
  # zstd, lz4 unpack theirs into /tmp; they need libstdc++, libgcc_s, libm) link against.
  libs="$(
    {
      find "$rootfs/opt/java" -name '*.so' -print0 | xargs -0 ldd 2>/dev/null
      ldd "${binaries[@]}" 2>/dev/null
      printf '\t/lib/x86_64-linux-gnu/libstdc++.so.6\n\t/lib/x86_64-linux-gnu/libgcc_s.so.1\n'
      printf '\t/lib/x86_64-linux-gnu/libm.so.6\n\t/lib/x86_64-linux-gnu/librt.so.1\n'
      printf '\t/lib/x86_64-linux-gnu/libdl.so.2\n\t/lib/x86_64-linux-gnu/libpthread.so.0\n'
    } | grep -oE '/[^ ]+\.so[^ ]*' | grep -v "^$rootfs" | sort -u
  )"
  for lib in $libs; do
    [[ -e "$lib" ]] || continue
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  # usr-merged layout, as Debian's: /bin/bash and /usr/bin/bash are one file
  rmdir "$rootfs/bin"
  ln -s usr/bin "$rootfs/bin"
  if [[ -d "$rootfs/lib/x86_64-linux-gnu" && ! -e "$rootfs/usr/lib/x86_64-linux-gnu" ]]; then
    mkdir -p "$rootfs/usr/lib"
    ln -s ../../lib/x86_64-linux-gnu "$rootfs/usr/lib/x86_64-linux-gnu"
  fi
  printf 'root:x:0:0:root:/root:/usr/bin/bash\nsidetrack:x:10001:10001:sidetrack:/tmp:/usr/bin/bash\n' \
    > "$rootfs/etc/passwd"
  printf 'root:x:0:\nsidetrack:x:10001:\n' > "$rootfs/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
  printf '127.0.0.1 localhost\n::1 localhost\n' > "$rootfs/etc/hosts"
  chmod 1777 "$rootfs/tmp"
  base="$runtime"
  echo "build.sh: building the base $base (jlinked runtime, FROM scratch)" >&2
  printf 'FROM scratch\nCOPY . /\nENV JAVA_HOME=/opt/java PATH=/usr/bin\n' > "$work/Containerfile.runtime"
  "$podman" build --quiet --file "$work/Containerfile.runtime" --tag "$base" "$rootfs" >/dev/null
fi

cp "$here/Containerfile" "$context/Containerfile"
echo "build.sh: building $name:$version on $base" >&2
"$podman" build --quiet --build-arg "BASE=$base" --build-arg "VERSION=$version" \
  --file "$context/Containerfile" --tag "$name:$version" --tag "$name:latest" "$context" >/dev/null

# The edge agent's start-up archive (an AOT cache on Java 25 or later, else AppCDS), recorded in a
# container of this image: an autoscaled agent must start fast, and the launcher maps the archive
# when its key (the JVM and the classpath) matches. In a built checkout the agent trains on a real
# first read: loadtest/run-agent-start.sh serves Kafka, a schema registry and 20,000 signed routes
# on this host, the agent reads them, serves 12 s (its background signature check decodes every
# route) and stops. The cache then holds the classes and the methods' profiles of reading routes,
# which makes a new agent with 100,000 routes ready about 0.5 s sooner than one recorded without
# Kafka. Without the loadtest module built (or with SIDETRACK_IMAGE_TRAINING=off) the agent runs
# with no Kafka to reach until its admin port listens: its proxy, Vert.x, Netty and the Kafka
# client are recorded, reading routes is not.
if [[ "${SIDETRACK_IMAGE_CDS:-on}" != "off" ]]; then
  cds="$work/cds"
  rm -rf "$cds"
  mkdir -p "$cds"
  chmod 777 "$cds"
  training_pid=
  agent_args=(--trusted-router-keys /tmp/keys/router-signing.pub.pem --bootstrap-servers 127.0.0.1:1
    --listen 127.0.0.1:8080)
  network=(--network none)
  keys_mount=()
  if [[ "${SIDETRACK_IMAGE_TRAINING:-on}" != "off" && -f "$root/loadtest/target/classpath.txt" ]] \
    && ls "$root"/loadtest/target/sidetrack-loadtest-*.jar >/dev/null 2>&1; then
    training_routes="${SIDETRACK_IMAGE_TRAINING_ROUTES:-20000}"
    echo "build.sh: training the edge agent's start-up archive on $training_routes routes (about a minute)" >&2
    training_log="$work/training.log"
    BENCH_JAVA_OPTS="-Dsidetrack.bench.serve=900" "$root/loadtest/run-agent-start.sh" "$training_routes" 0 \
      > "$training_log" 2>&1 &
    training_pid=$!
    trap 'kill "$training_pid" 2>/dev/null || true' EXIT
    line=
    for _ in $(seq 1 300); do
      line="$(grep -m 1 -o 'start an agent with: .*' "$training_log" || true)"
      [[ -n "$line" ]] && break
      kill -0 "$training_pid" 2>/dev/null || break
      sleep 1
    done
    if [[ -n "$line" ]]; then
      bootstrap="$(sed -n 's/.* --bootstrap-servers \([^ ]*\).*/\1/p' <<< "$line")"
      registry="$(sed -n 's/.* --schema-registry-url \([^ ]*\).*/\1/p' <<< "$line")"
      trusted="$(sed -n 's/.* --trusted-router-keys \([^ ]*\).*/\1/p' <<< "$line")"
      workload="$(sed -n 's/.* --workload \([^ ]*\).*/\1/p' <<< "$line")"
      listen_port=$((20000 + RANDOM % 10000))
      agent_args=(--trusted-router-keys /keys/router-signing.pub.pem --bootstrap-servers "$bootstrap"
        --schema-registry-url "$registry" --app 127.0.0.1:9 --listen "127.0.0.1:$listen_port")
      network=(--network host)
      keys_mount=(-v "$trusted:/keys/router-signing.pub.pem:ro")
    else
      echo "build.sh: warning: the training stack did not start (see $training_log); recording without Kafka" >&2
      kill "$training_pid" 2>/dev/null || true
      training_pid=
    fi
  fi
  admin_port=9901
  [[ -n "$training_pid" ]] && admin_port=$((30000 + RANDOM % 10000))
  cid="$("$podman" run -d "${network[@]}" -v "$cds:/opt/sidetrack/cds" "${keys_mount[@]}" \
    -e SIDETRACK_CDS_DIR=/opt/sidetrack/cds --entrypoint /usr/bin/bash "$name:$version" -c '
      [ -d /keys ] || SIDETRACK_CDS=off /opt/sidetrack/bin/sidetrack keys generate --out /tmp/keys >/dev/null &&
      exec /opt/sidetrack/bin/sidetrack edge-agent --workload "$0" --admin "127.0.0.1:$1" "${@:2}"' \
    "${workload:-cds-recording}" "$admin_port" "${agent_args[@]}")"
  # bash's /dev/tcp: the image has no HTTP client. With routes to read, the agent is ready when it
  # has read them (GET /ready answers 200); without, when its admin port listens.
  for _ in $(seq 1 60); do
    if [[ -n "$training_pid" ]]; then
      "$podman" exec "$cid" /usr/bin/bash -c "exec 3<>/dev/tcp/127.0.0.1/$admin_port &&
        printf 'GET /ready HTTP/1.0\r\n\r\n' >&3 && head -n 1 <&3 | grep -q ' 200 '" 2>/dev/null && break
    else
      "$podman" exec "$cid" /usr/bin/bash -c ": > /dev/tcp/127.0.0.1/$admin_port" 2>/dev/null && break
    fi
    sleep 1
  done
  # the launcher adopts an archive only from a run that served 10 s or more
  if [[ -n "$training_pid" ]]; then sleep 12; else sleep 3; fi
  "$podman" stop --time 60 "$cid" >/dev/null
  recording_log="$("$podman" logs "$cid" 2>&1 | tail -n 5)"
  "$podman" rm "$cid" >/dev/null 2>&1 || true
  if [[ -n "$training_pid" ]]; then
    kill "$training_pid" 2>/dev/null || true
    wait "$training_pid" 2>/dev/null || true
    trap - EXIT
  fi
  # adopt the finished recording as the launcher would (it cannot here: the recording container's
  # launcher was PID 1, which is alive in every container)
  recorded=
  for partial in "$cds"/edge-agent.*.partial-*; do
    [[ "$partial" == *.key || "$partial" == *.config ]] && continue
    [[ -s "$partial" && -s "$partial.key" ]] || continue
    recorded="$cds/$(basename "${partial%%.partial-*}")"
    mv -f "$partial.key" "$recorded.key"
    mv -f "$partial" "$recorded"
    break
  done
  rm -f "$cds"/*.partial-* 2>/dev/null || true
  if [[ -n "$recorded" ]]; then
    printf 'FROM %s\nCOPY --chown=0:0 cds/ /opt/sidetrack/cds/\n' "$name:$version" > "$work/Containerfile.cds"
    "$podman" build --quiet --file "$work/Containerfile.cds" --tag "$name:$version" \
      --tag "$name:latest" "$work" >/dev/null
    echo "build.sh: recorded $(basename "$recorded") ($(( $(stat -c %s "$recorded") / 1000000 )) MB)" >&2
  else
    echo "build.sh: warning: no start-up archive recorded for edge-agent; the image works without it" >&2
    echo "$recording_log" >&2
  fi
fi

size="$("$podman" image inspect --format '{{.Size}}' "$name:$version")"
echo "build.sh: built $name:$version and $name:latest ($((size / 1000000)) MB) in $(($(date +%s) - started)) s"
