#!/usr/bin/env bash
# Copies the CRD manifests from deploy/crds (the source of truth) into charts/flagger/crds, so the chart installs
# exactly the same CRDs. Only YAML files that hold a CustomResourceDefinition are copied (Helm applies every file in
# crds/ as-is, so a kustomization.yaml there would break installs). Files no longer in deploy/crds are removed.
# tests/Flagger.Deploy.Tests checks that the two folders agree.
#   eng/sync-chart-crds.sh [--check]   (--check: change nothing, exit 1 when the folders differ)
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
src="$repo_root/deploy/crds"
dst="$repo_root/charts/flagger/crds"

if [ ! -d "$src" ]; then
  echo "sync-chart-crds: deploy/crds does not exist yet; nothing to copy" >&2
  exit 0
fi

staged="$(mktemp -d)"
trap 'rm -rf "$staged"' EXIT
shopt -s nullglob
for f in "$src"/*.yaml "$src"/*.yml; do
  if grep -q '^kind: CustomResourceDefinition' "$f"; then cp "$f" "$staged/"; fi
done

if [ "${1:-}" = "--check" ]; then
  if diff -r -x .gitkeep "$staged" "$dst" >/dev/null 2>&1; then echo "sync-chart-crds: up to date"; exit 0; fi
  echo "sync-chart-crds: charts/flagger/crds differs from deploy/crds; run eng/sync-chart-crds.sh" >&2
  exit 1
fi

mkdir -p "$dst"
find "$dst" -mindepth 1 -maxdepth 1 -type f ! -name '.gitkeep' -delete
copied=0
for f in "$staged"/*; do cp "$f" "$dst/"; copied=$((copied + 1)); done
echo "sync-chart-crds: copied $copied CRD file(s) from deploy/crds to charts/flagger/crds"
