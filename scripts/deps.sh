#!/usr/bin/env bash
# Installs what building, running and testing Borgerkiosk needs on Debian, and
# only what is missing, so a warm machine pays nothing.
# Usage: scripts/deps.sh [--list] [deb|appliance]   (--list: print the packages, install nothing)
#   (none)     everything: building, running and all tests (make build/test)
#   deb        only what building the Debian packages needs (make deb)
#   appliance  that, and the checkers the appliance suite runs (make appliance)
set -euo pipefail
list=false
if [ "${1:-}" = --list ]; then list=true; shift; fi
mode=${1:-all}

# What building the packages needs: a C compiler and the X11/GL headers for
# the kiosk's cgo build (Fyne's GLFW), git for the version.
build=(
  "gcc:/usr/bin/gcc"
  "pkg-config:/usr/bin/pkg-config"
  "libgl1-mesa-dev:/usr/include/GL/gl.h"
  "libx11-dev:/usr/include/X11/Xlib.h"
  "libxcursor-dev:/usr/include/X11/Xcursor/Xcursor.h"
  "libxrandr-dev:/usr/include/X11/extensions/Xrandr.h"
  "libxinerama-dev:/usr/include/X11/extensions/Xinerama.h"
  "libxi-dev:/usr/include/X11/extensions/XInput2.h"
  "libxxf86vm-dev:/usr/include/X11/extensions/xf86vmode.h"
  "git:/usr/bin/git"
)
# The appliance suite's checkers: Debian's lintian (and man, which it runs
# on the man pages), systemd-analyze for the units' hardening score, and
# cage, Xwayland and grim to run the kiosk as it runs on a kiosk.
appliance=(
  "lintian:/usr/bin/lintian"
  "man-db:/usr/bin/man"
  "systemd:/usr/bin/systemd-analyze"
  # The kiosk under the real compositor, and a Wayland screenshot of it.
  "cage:/usr/bin/cage"
  "xwayland:/usr/bin/Xwayland"
  "grim:/usr/bin/grim"
  # The watchdog test runs the real kiosk window under Xvfb.
  "xvfb:/usr/bin/Xvfb"
  # What the kiosk package depends on beyond the build's libraries: the
  # dpkg test installs the packages in a copy of this machine's root.
  "espeak-ng:/usr/bin/espeak-ng"
  "fonts-dejavu-core:/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
  "locales:/usr/sbin/locale-gen"
)

# Debian packages, each with the command or file that proves it is there.
all=(
  "${build[@]}"
  "xvfb:/usr/bin/Xvfb"
  "xauth:/usr/bin/xauth"
  "x11-apps:/usr/bin/xwd"
  "imagemagick:/usr/bin/convert"
  # The smoke test taps the real window and reads its size.
  "xdotool:/usr/bin/xdotool"
  "zbar-tools:/usr/bin/zbarimg"
  "espeak-ng:/usr/bin/espeak-ng"
  "chromium:/usr/bin/chromium"
  "fonts-dejavu-core:/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
  "locales:/usr/sbin/locale-gen"
  # Tests of central/postgres start a private cluster with its initdb.
  "postgresql:/usr/lib/postgresql/15/bin/initdb"
)
case $mode in
all) need=("${all[@]}") ;;
deb) need=("${build[@]}") ;;
appliance) need=("${build[@]}" "${appliance[@]}") ;;
*) echo "usage: scripts/deps.sh [--list] [deb|appliance]" >&2; exit 2 ;;
esac
if $list; then
  for entry in "${need[@]}"; do echo "${entry%%:*}"; done
  exit 0
fi
missing=()
for entry in "${need[@]}"; do
  pkg=${entry%%:*} file=${entry#*:}
  [ -e "$file" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  log=$(mktemp)
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"; } >"$log" 2>&1; then
    echo "deps: apt-get failed; its last lines:" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  rm -f "$log"
fi

if [ "$mode" != all ]; then
  command -v go >/dev/null 2>&1 || { echo "deps: Go is not on PATH; install Go 1.26 (https://go.dev/dl)" >&2; exit 1; }
  exit 0
fi

# Danish locale, so Fyne and espeak-ng are happy with LANG=da_DK.UTF-8.
if ! locale -a 2>/dev/null | grep -qi '^da_DK.utf8$'; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  if [ -f /etc/locale.gen ]; then
    $sudo sed -i 's/^# *da_DK.UTF-8 UTF-8/da_DK.UTF-8 UTF-8/' /etc/locale.gen
    grep -q '^da_DK.UTF-8 UTF-8' /etc/locale.gen || echo 'da_DK.UTF-8 UTF-8' | $sudo tee -a /etc/locale.gen >/dev/null
    $sudo locale-gen >/dev/null 2>&1 || true
  fi
fi

if ! command -v go >/dev/null 2>&1; then
  echo "deps: Go is not on PATH; install Go 1.26 (https://go.dev/dl) or add /usr/local/go/bin to PATH" >&2
  exit 1
fi
"$(dirname "$0")/progress.sh" "downloading Go modules (go mod download)" go mod download
