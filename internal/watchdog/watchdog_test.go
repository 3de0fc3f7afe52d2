package watchdog

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

func TestReadyAndInterval(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	if sent, err := Ready(); sent || err != nil {
		t.Errorf("Ready outside systemd = %v, %v; want false, nil", sent, err)
	}
	_, next := testtool.Systemd(t, 0)
	if sent, err := Ready(); !sent || err != nil {
		t.Fatalf("Ready = %v, %v; want true, nil", sent, err)
	}
	if got := next(); got != "READY=1" {
		t.Errorf("Ready sent %q; want READY=1", got)
	}
	t.Setenv("WATCHDOG_USEC", "30000000")
	t.Setenv("WATCHDOG_PID", "")
	if d, err := Interval(); d != 15*time.Second || err != nil {
		t.Errorf("Interval with WatchdogSec=30s = %v, %v; want 15s", d, err)
	}
	// The kiosk runs as cage's child: systemd's WATCHDOG_PID names cage.
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getppid()))
	if d, err := Interval(); d != 15*time.Second || err != nil {
		t.Errorf("Interval in the child of the unit's main process = %v, %v; want 15s", d, err)
	}
	t.Setenv("WATCHDOG_PID", "1")
	if d, err := Interval(); d != 0 || err != nil {
		t.Errorf("Interval with the watchdog meant for process 1 = %v, %v; want 0", d, err)
	}
	t.Setenv("WATCHDOG_PID", "")
	t.Setenv("WATCHDOG_USEC", "")
	if d, err := Interval(); d != 0 || err != nil {
		t.Errorf("Interval without a watchdog = %v, %v; want 0", d, err)
	}
}

// uiThread is a stand-in for the GUI thread fyne.Do hands functions to:
// one goroutine running queued functions in turn. (Fyne's test driver runs
// fyne.Do's function at once in the caller, so it cannot hang.)
// finished gets a value each time a queued function has returned.
func uiThread(t *testing.T) (do func(func()), hang func() (release func()), finished <-chan struct{}) {
	queue := make(chan func(), 64)
	fin := make(chan struct{}, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for f := range queue {
			f()
		}
	}()
	t.Cleanup(func() { close(queue); <-done })
	do = func(f func()) { queue <- func() { f(); fin <- struct{}{} } }
	hang = func() func() {
		stuck, release := make(chan struct{}), make(chan struct{})
		queue <- func() { close(stuck); <-release }
		<-stuck
		return func() { close(release) }
	}
	return do, hang, fin
}

// A hung UI thread stops the pings: what systemd's WatchdogSec= needs to
// restart a frozen kiosk. And while it hangs no pings pile up behind it.
func TestPingsStopWhileTheUIThreadHangs(t *testing.T) {
	conn, next := testtool.Systemd(t, 0)
	do, hang, finished := uiThread(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ticks := make(chan time.Time)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); run(ctx, ticks, do, log) }()

	for i := range 3 {
		ticks <- time.Now()
		if got := next(); got != "WATCHDOG=1" {
			t.Fatalf("ping %d sent %q; want WATCHDOG=1", i, got)
		}
		testtool.Recv(t, finished, "the ping to return")
	}

	release := hang()
	for range 5 {
		ticks <- time.Now() // run takes each tick before the next send returns
	}
	ticks <- time.Now() // and has handled the fifth when it takes a sixth
	if got := testtool.Notified(t, conn, 0); len(got) != 0 {
		t.Errorf("while the UI thread hung, systemd got %q; want nothing", got)
	}
	if !strings.Contains(logs.String(), "the thread that sends it is stuck") {
		t.Errorf("no journal line says the pings stalled:\n%s", logs.String())
	}

	release()
	// The one ping queued before the hang goes out now, and only one.
	if got := next(); got != "WATCHDOG=1" {
		t.Fatalf("after the UI thread recovered systemd got %q; want WATCHDOG=1", got)
	}
	testtool.Recv(t, finished, "the queued ping to return")
	ticks <- time.Now()
	if got := next(); got != "WATCHDOG=1" {
		t.Fatalf("the first tick after recovery sent %q; want WATCHDOG=1", got)
	}
	testtool.Recv(t, finished, "the ping to return")
	cancel()
	<-stopped
	if got := testtool.Notified(t, conn, 0); len(got) != 0 {
		t.Errorf("after recovery systemd got %d more messages %q; want none: pings must not pile up behind a hung thread", len(got), got)
	}
	if !strings.Contains(logs.String(), "pings resumed") {
		t.Errorf("no journal line says the pings resumed:\n%s", logs.String())
	}
}

func TestRunWithoutWatchdogReturns(t *testing.T) {
	Run(context.Background(), 0, func(func()) { t.Error("a ping was sent with the watchdog off") }, slog.New(slog.DiscardHandler))
}

func TestMain(m *testing.M) {
	os.Unsetenv("NOTIFY_SOCKET") // a test run under systemd must not ping its own unit
	os.Exit(m.Run())
}
