package sync

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// A crash while Badger starts a new memtable log leaves an empty or
// header-less *.mem file; the outbox must still open, with its actions.
func TestOutboxOpensAfterCrashDuringMemtableStart(t *testing.T) {
	for name, content := range map[string][]byte{
		"empty":       nil,
		"short":       {1, 2, 3},
		"zero header": make([]byte, 4096),
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ob")
			p := newPeople(nil)
			o := mustOpen(t, dir, Options{})
			for i := 0; i < 3; i++ {
				if _, err := o.Enqueue(context.Background(), p.delegation("k1", time.Now())); err != nil {
					t.Fatal(err)
				}
			}
			o.Close()
			if err := os.WriteFile(filepath.Join(dir, "00099.mem"), content, 0o600); err != nil {
				t.Fatal(err)
			}
			o = mustOpen(t, dir, Options{})
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
