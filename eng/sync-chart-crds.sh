#!/usr/bin/env bash
# Copies the CRD manifests from deploy/crds (the source of truth) into charts/flagger/crds, so the chart installs
# exactly the same CRDs. Files in charts/flagger/crds that no longer exist in deploy/crds are removed.
# Run it after changing deploy/crds; tests/Flagger.Deploy.Tests checks the two folders are identical.
#   eng/sync-chart-crds.sh [--check]   (--check: change nothing, exit 1 when the folders differ)
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
src="$repo_root/deploy/crds"
dst="$repo_root/charts/flagger/crds"

if [ ! -d "$src" ]; then
  echo "sync-chart-crds: $src does not exist yet; nothing to copy" >&2
  exit 0
fi

if [ "${1:-}" = "--check" ]; then
  if diff -r -x .gitkeep "$src" "$dst" >/dev/null 2>&1; then echo "sync-chart-crds: up to date"; exit 0; fi
  echo "sync-chart-crds: charts/flagger/crds differs from deploy/crds; run eng/sync-chart-crds.sh" >&2
  exit 1
fi

mkdir -p "$dst"
find "$dst" -mindepth 1 -maxdepth 1 -type f ! -name '.gitkeep' -delete
shopt -s nullglob
copied=0
for f in "$src"/*; do
  [ -f "$f" ] || continue
  cp "$f" "$dst/"
  copied=$((copied + 1))
done
echo "sync-chart-crds: copied $copied file(s) from deploy/crds to charts/flagger/crds"
