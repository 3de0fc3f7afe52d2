// Package testtool finds the outside programs some tests check against
// (zbarimg, chromium, espeak-ng, Xvfb). make test installs them; a developer
// running go test on a bare machine gets a skip that names what is missing,
// but under CI (or BK_REQUIRE_TOOLS=1) a missing tool fails the test, so a
// green CI always means the check really ran.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Require returns the path of the first of names found on PATH.
func Require(tb testing.TB, names ...string) string {
	tb.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" || os.Getenv("BK_REQUIRE_TOOLS") != "" {
		tb.Fatalf("%v not installed; run scripts/deps.sh (make test does)", names)
	}
	tb.Skipf("%v not installed; run scripts/deps.sh or make test to check this", names)
	return ""
}
