#!/usr/bin/env bash
# Runs the whole product on this machine: central (demo mode), simulated card
# reader, printer and QR scanner on pseudo-terminals, demo cards, and the
# kiosk window (under Xvfb with screenshots when there is no display).
# Usage: scripts/run.sh [RUNDIR]   (make run calls it after building bin/)
set -euo pipefail
RUN=$(realpath -m "${1:-run}")
BIN=$(realpath bin)
mkdir -p "$RUN"/{central,kiosk,cards,dev,receipts,logs,screenshots}
export LANG=${LANG:-da_DK.UTF-8}
[ "$LANG" = "C.UTF-8" ] || [ "$LANG" = "C" ] && export LANG=da_DK.UTF-8

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

wait_for() { # file pattern seconds
  for _ in $(seq 1 $(( $3 * 10 ))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "run: timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}

# Central, with the demo catalogue, demo consent requests and a dev card issuer.
ADDR=127.0.0.1:8440
"$BIN/central" --data "$RUN/central" --addr "$ADDR" --demo >"$RUN/logs/central.log" 2>&1 &
pids+=($!)
wait_for "$RUN/logs/central.log" "central listening on" 30
CENTRAL="http://$ADDR"

# Demo cards, minted once with central's development issuer key.
mint() { # file cpr name pin [role staff-id]
  [ -f "$RUN/cards/$1.json" ] && return 0
  local extra=()
  [ "${5:-}" = staff ] && extra=(--role staff --staff-id "$6")
  "$BIN/kioskctl" card mint --issuer "$RUN/central/dev-issuer.key" --cpr "$2" --name "$3" --pin "$4" \
    --out "$RUN/cards/$1.json" "${extra[@]}" >/dev/null
}
mint ingrid 150550-1234 "Ingrid Sørensen" 1234
mint mads   230492-2345 "Mads Nielsen" 2345
mint aisha  020202-4456 "Aisha Jensen" 4456
mint oliver 011112-4123 "Oliver Hansen" 4123
mint sofie  120385-1111 "Sofie Holm" 9999 staff S-0042

# A one-time enrolment token for a kiosk that has not enrolled yet.
if [ ! -f "$RUN/kiosk/enrolment.json" ]; then
  "$BIN/kioskctl" enroll-token --central "$CENTRAL" --operator-token-file "$RUN/central/operator.token" >"$RUN/kiosk.token"
fi

# Device simulators on pseudo-terminals, reachable at stable paths.
"$BIN/kioskctl" sim card-reader --link "$RUN/dev/card-reader" --control "$RUN/dev/card-reader.sock" </dev/null >"$RUN/logs/card-reader.log" 2>&1 &
pids+=($!)
"$BIN/kioskctl" sim printer --out "$RUN/receipts" --link "$RUN/dev/printer" --control "$RUN/dev/printer.sock" </dev/null >"$RUN/logs/printer.log" 2>&1 &
pids+=($!)
"$BIN/kioskctl" sim scanner --link "$RUN/dev/scanner" --control "$RUN/dev/scanner.sock" </dev/null >"$RUN/logs/scanner.log" 2>&1 &
pids+=($!)
wait_for "$RUN/logs/card-reader.log" "simulator on" 10
wait_for "$RUN/logs/printer.log" "simulator on" 10
wait_for "$RUN/logs/scanner.log" "simulator on" 10

cat >"$RUN/kiosk.toml" <<TOML
# Written by scripts/run.sh; see packaging/kiosk.example.toml for every setting.
kiosk_id = "demo-kiosk-1"
site = "Hovedbiblioteket, Borgerservice"
data_dir = "$RUN/kiosk"
central_url = "$CENTRAL"
enroll_token_file = "$RUN/kiosk.token"
fullscreen = false

[devices]
card_reader = "$RUN/dev/card-reader"
printer = "$RUN/dev/printer"
scanner = "$RUN/dev/scanner"

[session]
idle_warning = "120s"
idle_countdown = "30s"
TOML

ctl="$BIN/kioskctl sim send --control"
cat <<HELP

Borgerkiosk is running.
  central:     $CENTRAL   (log: $RUN/logs/central.log)
  receipts:    $RUN/receipts/   (PNG and text of every receipt the simulated printer prints)

Insert a card (PIN in brackets), then type the PIN on the screen's PIN pad:
  $ctl $RUN/dev/card-reader.sock insert $RUN/cards/ingrid.json    # Ingrid Sørensen, citizen (1234)
  $ctl $RUN/dev/card-reader.sock insert $RUN/cards/mads.json      # Mads Nielsen, citizen (2345)
  $ctl $RUN/dev/card-reader.sock insert $RUN/cards/sofie.json     # Sofie Holm, staff (9999)
  $ctl $RUN/dev/card-reader.sock remove
Scan the newest handover slip (the printer saves each as receipt-NNNN-slip.png; latest-slip.png is the newest):
  $ctl $RUN/dev/scanner.sock scan-image $RUN/receipts/latest-slip.png
Run the printer out of paper, and back:
  $ctl $RUN/dev/printer.sock paper-out
  $ctl $RUN/dev/printer.sock paper-ok
HELP

if [ -n "${DISPLAY:-}" ]; then
  "$BIN/kiosk" --config "$RUN/kiosk.toml" 2> >(tee "$RUN/logs/kiosk.log" >&2)
else
  # No display: a virtual one, with a screenshot every 5 seconds; only the
  # latest few are kept (a day's run would otherwise fill the disk).
  keep=10
  disp=:$(( 90 + RANDOM % 100 ))
  Xvfb "$disp" -screen 0 1280x1024x24 -nolisten tcp >"$RUN/logs/xvfb.log" 2>&1 &
  pids+=($!)
  sleep 1
  echo "No display: the kiosk runs on virtual display $disp; a screenshot every 5 s: $RUN/screenshots/latest.png (and the $keep before it)"
  DISPLAY=$disp "$BIN/kiosk" --config "$RUN/kiosk.toml" 2>"$RUN/logs/kiosk.log" &
  kiosk=$!
  pids+=($kiosk)
  rm -f "$RUN"/screenshots/shot-*.png
  n=0
  while kill -0 "$kiosk" 2>/dev/null; do
    sleep 5
    n=$((n + 1))
    if xwd -root -silent -display "$disp" 2>/dev/null | convert xwd:- "png:$RUN/screenshots/shot-$(printf %04d $n).png" 2>/dev/null; then
      cp "$RUN/screenshots/shot-$(printf %04d $n).png" "$RUN/screenshots/latest.png"
    fi
    rm -f "$RUN/screenshots/shot-$(printf %04d $((n - keep))).png"
  done
  echo "the kiosk stopped; its log: $RUN/logs/kiosk.log" >&2
  tail -20 "$RUN/logs/kiosk.log" >&2
fi
