#!/usr/bin/env bash
# Builds the three programs the Debian packages hold, the way they ship:
#   -trimpath        no checkout path in the binaries, so two checkouts of
#                    one commit give the same bytes (packaging's
#                    TestReproducible checks)
#   -buildmode=pie   position-independent, with RELRO (Debian's hardening)
#   -ldflags=-s -w   stripped: no symbol table, no DWARF
#   -bindnow, -z now full RELRO (BIND_NOW): -bindnow for Go's own linker,
#                    which links central and kioskctl (no cgo packages),
#                    -z now for the system linker, which links the kiosk
#   -buildvcs=false  the package version names the commit; the binary need not
#   CGO_CPPFLAGS     -D_FORTIFY_SOURCE=2: the kiosk's C (GLFW) checks its
#                    buffer copies, as Debian builds C (cgo's CFLAGS have -O2)
# All three with cgo: Debian wants every PIE program linked against libc (a
# pure-Go PIE has no NEEDED entry: lintian shared-library-lacks-prerequisites),
# and the kiosk needs it anyway for Fyne's GLFW.
# Usage: scripts/deb-binaries.sh OUTDIR   (make deb calls it)
set -euo pipefail
out=${1:?usage: scripts/deb-binaries.sh OUTDIR}
cd "$(dirname "$0")/.."
flags=(-trimpath -buildmode=pie -buildvcs=false "-ldflags=-s -w -bindnow -extldflags=-Wl,-z,now")
mkdir -p "$out"
export CGO_CPPFLAGS=-D_FORTIFY_SOURCE=2
CGO_ENABLED=1 go build "${flags[@]}" -o "$out/central" ./cmd/central
CGO_ENABLED=1 go build "${flags[@]}" -o "$out/kioskctl" ./cmd/kioskctl
CGO_ENABLED=1 scripts/progress.sh "building the kiosk with cgo for the package" go build "${flags[@]}" -o "$out/kiosk" ./cmd/kiosk
