#!/usr/bin/env bash
# Smoke check of the operator's published output under the image's runtime conditions, for machines without a
# container engine: `dotnet publish` as the Dockerfile does, then run flagger.dll as uid 10001 in a private mount
# namespace whose root filesystem and app folder are read-only and whose /tmp is a fresh tmpfs, with the image's
# environment (DOTNET_EnableDiagnostics=0, HOME=/tmp), and probe /healthz, /readyz and /metrics on loopback.
# Needs root (unshare, mount, setpriv). Prints one line per endpoint; exits non-zero when any is not 200.
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
port="${SMOKE_PORT:-18080}"
work="$(mktemp -d)"
log="$work/runtime.log"
pid=""
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || { echo "smoke-publish: needs root for unshare/mount/setpriv" >&2; exit 2; }
dotnet publish "$repo_root/src/Flagger.Runtime/Flagger.Runtime.csproj" -c Release -o "$work/app" -p:UseAppHost=false >"$work/publish.log" \
  || { cat "$work/publish.log" >&2; exit 1; }
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"

cat >"$work/inner.sh" <<INNER
set -e
mount --make-rprivate /
mount -t tmpfs -o size=64m tmpfs /mnt
cp -r "$work/app" /mnt/app
mount --bind /mnt/app /mnt/app
mount -t tmpfs -o size=64m tmpfs /tmp
mount -o remount,bind,ro /
mount -o remount,bind,ro /mnt/app
cd /mnt/app
exec setpriv --reuid=10001 --regid=10001 --clear-groups env -i PATH=/usr/bin:/bin HOME=/tmp TMPDIR=/tmp \
  DOTNET_ROOT="$dotnet_root" DOTNET_EnableDiagnostics=0 ASPNETCORE_URLS=http://127.0.0.1:$port "$dotnet_root/dotnet" flagger.dll
INNER
unshare -m sh "$work/inner.sh" >"$log" 2>&1 &
pid=$!

status=0
for endpoint in healthz readyz metrics; do
  code=000
  for _ in $(seq 1 30); do
    code="$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/$endpoint" || true)"
    [ "$code" = "200" ] && break
    sleep 1
  done
  echo "smoke-publish: /$endpoint -> $code"
  [ "$code" = "200" ] || status=1
done
[ "$status" -eq 0 ] || { echo "smoke-publish: runtime log:" >&2; cat "$log" >&2; }
exit "$status"
