#!/usr/bin/env bash
# Installs what the tests and the local environment need besides the .NET SDK, when it is missing.
# Today: Prometheus (the analysis tests and the simulated E2E backend run a real one on loopback).
set -euo pipefail

need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  echo "prerequisites: installing ${need[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
  echo "prerequisites: installing ${need[*]} with sudo apt-get"
  sudo apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
elif command -v brew >/dev/null 2>&1; then
  echo "prerequisites: installing ${need[*]} with brew"
  brew install "${need[@]}"
else
  echo "prerequisites: missing ${need[*]}; install it with your package manager (e.g. 'apt-get install prometheus')." >&2
  echo "prerequisites: tests that need it will report skipped." >&2
fi
# Debian starts the packaged Prometheus as a service on :9090; the tests start their own on free ports.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
  systemctl stop prometheus || true
fi
