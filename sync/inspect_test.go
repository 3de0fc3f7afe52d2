package sync

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// uncleanOutbox returns an outbox directory as a killed kiosk leaves it,
// with n pending actions, and its key file.
func uncleanOutbox(t *testing.T, n int) (dir, key string) {
	t.Helper()
	base := t.TempDir()
	live := filepath.Join(base, "live")
	o := mustOpen(t, live, Options{})
	p := newPeople(nil)
	for i := 0; i < n; i++ {
		if _, err := o.Enqueue(context.Background(), p.delegation("k1", time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	// A copy of the open outbox: its files as a SIGKILL leaves them,
	// everything synced, nothing closed.
	dir = filepath.Join(base, "outbox")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := copyFiles(live, dir); err != nil {
		t.Fatal(err)
	}
	key = dir + ".key"
	b, err := os.ReadFile(live + ".key")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, key
}

// After an unclean stop Badger refuses a read-only open ("Log truncate
// required"); the outbox then reads a repaired copy, and the kiosk's own
// files stay exactly as they were.
func TestOutboxReadOnlyAfterUncleanStop(t *testing.T) {
	dir, _ := uncleanOutbox(t, 3)
	before := snapshot(t, filepath.Dir(dir))
	ro, err := Open(dir, Options{ReadOnly: true, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("read-only Open after an unclean stop = %v; want it to read a copy", err)
	}
	if st := ro.Stats(); st.Pending != 3 || !ro.ReadsCopy() {
		t.Fatalf("read-only after unclean stop: Stats = %+v, ReadsCopy = %v; want 3 pending from a copy", st, ro.ReadsCopy())
	}
	if _, err := ro.Enqueue(context.Background(), newPeople(nil).delegation("k1", time.Now())); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("Enqueue on a read-only copy = %v; want ErrReadOnly", err)
	}
	copyDir := ro.copyDir
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(copyDir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the copy %s is still there after Close (%v)", copyDir, err)
	}
	if after := snapshot(t, filepath.Dir(dir)); !sameSnapshot(before, after) {
		t.Fatalf("a read-only open changed the kiosk's files")
	}
	o := mustOpen(t, dir, Options{})
	if st := o.Stats(); st.Pending != 3 {
		t.Fatalf("the kiosk after the inspection: %d pending; want 3", st.Pending)
	}
}

// What a read-only open says when it cannot read an outbox.
func TestOutboxReadOnlyErrors(t *testing.T) {
	base := t.TempDir()
	live := filepath.Join(base, "outbox")
	running := mustOpen(t, live, Options{})
	dataDir := filepath.Join(base, "data")
	os.MkdirAll(dataDir, 0o700)
	os.WriteFile(filepath.Join(dataDir, "identity.json"), []byte("{}"), 0o600)
	for _, tt := range []struct {
		name, dir string
		want      string
		notIs     error
	}{
		{"kiosk running", live, "in use", nil},
		{"not an outbox", dataDir, "no outbox in " + dataDir, ErrKeyMissing},
		{"missing", filepath.Join(base, "none"), "no outbox in", ErrKeyMissing},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o, err := Open(tt.dir, Options{ReadOnly: true, Logger: quietLogger()})
			if err == nil {
				o.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || (tt.notIs != nil && errors.Is(err, tt.notIs)) {
				t.Fatalf("read-only Open(%s) = %v; want an error saying %q", tt.dir, err, tt.want)
			}
		})
	}
	if _, err := running.Enqueue(context.Background(), newPeople(nil).delegation("k1", time.Now())); err != nil {
		t.Fatalf("the running outbox after the read-only attempt: %v", err)
	}
}
