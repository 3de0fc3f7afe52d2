// Package testtool finds the outside programs some tests check against
// (zbarimg, chromium, espeak-ng, Xvfb). make test installs them; a developer
// running go test on a bare machine gets a skip that names what is missing,
// but under CI (or BK_REQUIRE_TOOLS=1) a missing tool fails the test, so a
// green CI always means the check really ran.
package testtool

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
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
	Unavailable(tb, "%v not installed; run scripts/deps.sh or make test to check this", names)
	return ""
}

// Unavailable ends a test that cannot run here (a missing tool, no right to
// mount): a skip on a developer's machine, a failure under CI or
// BK_REQUIRE_TOOLS=1.
func Unavailable(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if os.Getenv("CI") != "" || os.Getenv("BK_REQUIRE_TOOLS") != "" {
		tb.Fatalf(format, args...)
	}
	tb.Skipf(format, args...)
}

// ArtifactDir is where tests keep files for people to look at (screenshots,
// rendered receipts): $BK_ARTIFACTS, else borgerkiosk-artifacts in the temp
// directory.
func ArtifactDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("BK_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "borgerkiosk-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// KeepArtifact copies file into ArtifactDir under name and logs where.
func KeepArtifact(tb testing.TB, file, name string) {
	tb.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		tb.Logf("artifact %s not kept: %v", name, err)
		return
	}
	p := filepath.Join(ArtifactDir(tb), name)
	if err := os.WriteFile(p, b, 0o644); err == nil {
		tb.Logf("artifact: %s", p)
	}
}

// RequireFiles is Require for files, such as C headers a build needs.
func RequireFiles(tb testing.TB, paths ...string) {
	tb.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			Unavailable(tb, "%s missing; run scripts/deps.sh or make test to check this", p)
		}
	}
}

// Buffer is a bytes.Buffer safe to write from a server's goroutines while a
// test reads it: a log sink for tests that check what was logged.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TortureRounds is how many rounds a kill loop runs: $BK_TORTURE_ROUNDS
// (make torture sets it), else def.
func TortureRounds(tb testing.TB, def int) int {
	tb.Helper()
	s := os.Getenv("BK_TORTURE_ROUNDS")
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		tb.Fatalf("BK_TORTURE_ROUNDS=%q is not a positive number", s)
	}
	return n
}

// Killed reports whether a child process's Wait error says SIGKILL ended it.
func Killed(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}
