package testtool

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// WaitTimeout bounds every wait in a test: far longer than anything takes on
// a loaded machine, far shorter than go test's timeout, so a broken subject
// fails with a message naming what never happened instead of hanging.
const WaitTimeout = time.Minute

// Until polls cond (every 1 ms at first, backing off to 100 ms) until it
// holds, failing the test if it does not within WaitTimeout; what says what
// was awaited ("5 frame errors").
func Until(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(WaitTimeout)
	for pause := time.Millisecond; !cond(); pause = min(2*pause, 100*time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("waited %v for %s; it did not happen", WaitTimeout, what)
		}
		time.Sleep(pause)
	}
}

// Recv receives from ch, failing the test if nothing comes within
// WaitTimeout or ch is closed.
func Recv[T any](tb testing.TB, ch <-chan T, what string) T {
	tb.Helper()
	select {
	case v, ok := <-ch:
		if !ok {
			tb.Fatalf("waiting for %s: channel closed", what)
		}
		return v
	case <-time.After(WaitTimeout):
		tb.Fatalf("waited %v for %s; nothing came", WaitTimeout, what)
	}
	panic("unreachable")
}

// Blocked waits until a goroutine whose stack holds every one of frames (as
// runtime.Stack prints them, "os.(*File).Read") is parked, not running: so a
// test of "Close interrupts a blocked Read" knows the Read really blocked
// rather than passing when Close happens to come first.
func Blocked(tb testing.TB, frames ...string) {
	tb.Helper()
	buf := make([]byte, 1<<20)
	Until(tb, "a goroutine blocked in "+strings.Join(frames, " and "), func() bool {
		n := runtime.Stack(buf, true)
		for g := range strings.SplitSeq(string(buf[:n]), "\n\n") {
			head, _, _ := strings.Cut(g, "\n")
			if strings.Contains(head, "[running]") || strings.Contains(head, "[runnable]") {
				continue
			}
			all := true
			for _, f := range frames {
				all = all && strings.Contains(g, f)
			}
			if all {
				return true
			}
		}
		return false
	})
}
