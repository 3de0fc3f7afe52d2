package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// mountTmpfs mounts a small tmpfs (options such as "size=96m") so the test
// can fill a real filesystem; where mounting is not allowed (not root, no
// CAP_SYS_ADMIN) it skips, or fails under CI as testtool.Require does.
func mountTmpfs(t *testing.T, options string) string {
	t.Helper()
	mnt := filepath.Join(t.TempDir(), "mnt")
	os.MkdirAll(mnt, 0o700)
	mount := testtool.Require(t, "mount")
	if out, err := exec.Command(mount, "-t", "tmpfs", "-o", options, "tmpfs", mnt).CombinedOutput(); err != nil {
		testtool.Unavailable(t, "cannot mount a tmpfs (%v: %s); disk-full test needs root", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
	return mnt
}

// On a nearly full disk Enqueue refuses with a clear error before writing
// (Badger's memory-mapped files would otherwise crash the process), and works
// again once space is freed; confirmed actions stay intact.
func TestOutboxDiskFull(t *testing.T) {
	mnt := mountTmpfs(t, "size=96m")
	dir := filepath.Join(mnt, "ob")
	p := newPeople(nil)
	clock := time.Now()
	now := func() time.Time { return clock }
	o := mustOpen(t, dir, Options{MinFreeBytes: 32 << 20, Now: now})
	for i := 0; i < 10; i++ {
		if _, err := o.Enqueue(context.Background(), p.delegation("k1", time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	ballast := filepath.Join(mnt, "ballast")
	f, err := os.Create(ballast)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for {
		free, _ := diskFree(mnt)
		if free < 30<<20 {
			break
		}
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()
	clock = clock.Add(freeCheckEvery) // the guard trusts its last look for a second
	_, err = o.Enqueue(context.Background(), p.delegation("k1", time.Now()))
	if !errors.Is(err, ErrDiskFull) || bk.ErrorCode(err) != bk.EUnavailable {
		t.Fatalf("Enqueue on a full disk = %v; want ErrDiskFull with code %s", err, bk.EUnavailable)
	}
	os.Remove(ballast)
	seq, err := o.Enqueue(context.Background(), p.delegation("k1", time.Now()))
	if seq != 11 || err != nil {
		t.Fatalf("Enqueue after freeing space = %d, %v; want 11", seq, err)
	}
	o.Close()
	o = mustOpen(t, dir, Options{MinFreeBytes: 32 << 20, Now: now})
	items, err := o.Pending(0, 100, bk.MaxPushBytes)
	if err != nil || len(items) != 11 {
		t.Fatalf("Pending after reopen = %d, %v; want 11", len(items), err)
	}
}

// The guard looks at free space (statfs) once a second, after every
// MinFreeBytes/16 written, and on every enqueue while space is low; not on
// every enqueue.
func TestOutboxFreeSpaceLooks(t *testing.T) {
	p := newPeople(nil)
	clock := time.Now()
	enqueue := func(o *Outbox, n int) {
		t.Helper()
		for i := 0; i < n; i++ {
			if _, err := o.Enqueue(context.Background(), p.delegation("k1", clock)); err != nil {
				t.Fatal(err)
			}
		}
	}
	o := mustOpen(t, filepath.Join(t.TempDir(), "ob"), Options{MinFreeBytes: 1 << 20, Now: func() time.Time { return clock }})
	for _, step := range []struct {
		what    string
		advance time.Duration
		n, want int
	}{
		{"first enqueues", 0, 10, 1},
		{"within the second", freeCheckEvery - time.Millisecond, 10, 1},
		{"a second later", freeCheckEvery, 1, 2},
		{"the clock set back", -time.Hour, 1, 3},
		{"64 KiB written (MinFreeBytes/16)", 0, 50, 4},
	} {
		clock = clock.Add(step.advance)
		enqueue(o, step.n)
		if o.freeSpaceLooks != step.want {
			t.Fatalf("%s: %d looks at free space; want %d", step.what, o.freeSpaceLooks, step.want)
		}
	}
	low := mustOpen(t, filepath.Join(t.TempDir(), "ob"), Options{MinFreeBytes: 1 << 60, Now: func() time.Time { return clock }})
	for i := 1; i <= 3; i++ {
		if _, err := low.Enqueue(context.Background(), p.delegation("k1", clock)); !errors.Is(err, ErrDiskFull) || low.freeSpaceLooks != i {
			t.Fatalf("enqueue %d on a full disk = %v after %d looks; want ErrDiskFull after %d", i, err, low.freeSpaceLooks, i)
		}
	}
}

// When the disk fails under it, Badger retries its memtable flush forever
// and its Close never returns. The outbox's Close gives up after
// CloseTimeout with an error that says so, and the actions stay: they are in
// the synced memtable log, which the next start reads. The failure here is
// a filesystem out of inodes, so Badger cannot create the table it flushes
// to.
func TestOutboxCloseAfterIOError(t *testing.T) {
	mnt := mountTmpfs(t, "size=64m,nr_inodes=64")
	dir := filepath.Join(mnt, "ob")
	p := newPeople(nil)
	var logged testtool.Buffer
	key := filepath.Join(t.TempDir(), "key")
	o, err := Open(dir, Options{KeyFile: key, MaintenanceInterval: -1,
		CloseTimeout: time.Second, MinFreeBytes: -1, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := o.Enqueue(context.Background(), p.delegation("k1", time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	var ballast []string
	for i := 0; ; i++ {
		f, err := os.Create(filepath.Join(mnt, fmt.Sprintf("ballast%d", i)))
		if err != nil {
			break
		}
		f.Close()
		ballast = append(ballast, f.Name())
	}
	done := make(chan error, 1)
	go func() { done <- o.Close() }()
	err = testtool.Recv(t, done, "Close on a failing disk to return (CloseTimeout 1 s)")
	if err == nil || !strings.Contains(err.Error(), "did not finish") {
		t.Fatalf("Close on a failing disk = %v; want an error saying it did not finish", err)
	}
	if !strings.Contains(logged.String(), "did not finish") || !strings.Contains(logged.String(), "flushing memtable") {
		t.Fatalf("Close on a failing disk logged %q; want a line naming Badger's failure", logged.String())
	}

	// Once the disk works again the abandoned close finishes, and the next
	// start has every action.
	for _, b := range ballast {
		os.Remove(b)
	}
	defer func() {
		if err != nil {
			t.Logf("last Open: %v", err)
		}
	}()
	testtool.Until(t, "Open to succeed after the disk recovered", func() bool {
		o, err = Open(dir, Options{KeyFile: key, MaintenanceInterval: -1, MinFreeBytes: -1, Logger: quietLogger()})
		return err == nil
	})
	defer o.Close()
	if st := o.Stats(); st.Pending != 5 {
		t.Fatalf("pending after the failed close = %d; want 5", st.Pending)
	}
}
