#!/usr/bin/env bash
# Runs a command and, while it runs, prints "still WHAT… N s" every 15 seconds,
# so that a long cold step (go mod download, the first cgo build of Fyne: many
# minutes on two cores) is not silence. Usage: scripts/progress.sh WHAT CMD...
set -uo pipefail
what=$1
shift
start=$(date +%s)
"$@" &
pid=$!
(
  while sleep 15; do
    echo "  still $what… $(( $(date +%s) - start )) s" >&2
  done
) &
ticker=$!
wait "$pid"
rc=$?
kill "$ticker" 2>/dev/null
wait "$ticker" 2>/dev/null
took=$(( $(date +%s) - start ))
[ "$took" -lt 15 ] || echo "  $what: done in $took s" >&2
exit "$rc"
