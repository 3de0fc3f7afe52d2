package sync

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/badgerfix"
)

// After a crash while Badger starts a log file the outbox opens on the
// first try, with its actions (Badger alone fails: "Create a new file").
func TestOutboxOpensAfterCrashLeftovers(t *testing.T) {
	for _, c := range badgerfix.Leftovers {
		t.Run(c.Name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ob")
			p := newPeople(nil)
			o := mustOpen(t, dir, Options{})
			for i := 0; i < 3; i++ {
				if _, err := o.Enqueue(context.Background(), p.delegation("k1", time.Now())); err != nil {
					t.Fatal(err)
				}
			}
			o.Close()
			if _, err := c.Plant(dir); err != nil {
				t.Fatal(err)
			}
			o, err := Open(dir, Options{Logger: quietLogger(), MaintenanceInterval: -1})
			if err != nil {
				t.Fatalf("Open after a crash left a file (%s) = %v; want it open on the first try", c.Name, err)
			}
			defer o.Close()
			items, err := o.Pending(0, 10, bk.MaxPushBytes)
			if err != nil || len(items) != 3 {
				t.Fatalf("Pending after reopen = %d, %v; want 3", len(items), err)
			}
			if seq, err := o.Enqueue(context.Background(), p.delegation("k1", time.Now())); seq != 4 || err != nil {
				t.Fatalf("Enqueue after reopen = %d, %v; want 4", seq, err)
			}
		})
	}
}
