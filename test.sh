#!/usr/bin/env bash
# Runs every test of the solution. Installs missing prerequisites first (eng/prerequisites.sh), then
# `dotnet test Flagger.sln`, and ends with one plain summary line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"

eng/prerequisites.sh || echo "test.sh: prerequisites step failed; continuing, dependent tests will say why they skip" >&2

log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test Flagger.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Microsoft.Testing.Platform prints one summary per run; add them up.
awk '
  /^Test run summary/ { in_summary = 1; next }
  in_summary && /failed:/    { failed    += $2 }
  in_summary && /succeeded:/ { succeeded += $2 }
  in_summary && /skipped:/   { skipped   += $2; in_summary = 0 }
  END { printf "%d passed, %d failed, %d skipped\n", succeeded, failed, skipped }
' "$log"
exit "$status"
