package badgerfix

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

func TestRepairRemovesOnlyFilesWithoutEntries(t *testing.T) {
	header := append([]byte{0, 0, 0, 0, 0, 0, 0, 1}, bytes.Repeat([]byte{7}, 12)...)
	lateByte := make([]byte, 100<<10)
	lateByte[90<<10] = 1
	for _, c := range []struct {
		name    string
		content []byte
		removed bool
	}{
		{"000001.vlog", nil, true},
		{"000002.vlog", []byte{1, 2, 3}, true},
		{"000003.vlog", make([]byte, 300<<10), true},
		{"000004.vlog", header, false},
		{"000005.vlog", append(header, make([]byte, 1<<20)...), false},
		{"000006.vlog", lateByte, false}, // no header but not empty: Badger decides
		{"00001.mem", nil, true},
		{"00002.mem", make([]byte, 8<<20), true},
		{"00003.mem", header, false},
		{"MANIFEST", nil, false},
		{"000001.sst", nil, false},
		{"DISCARD", make([]byte, 1<<20), false},
		{"KEYREGISTRY", nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, c.name)
			if err := os.WriteFile(path, c.content, 0o600); err != nil {
				t.Fatal(err)
			}
			var logged strings.Builder
			if err := Repair(dir, slog.New(slog.NewTextHandler(&logged, nil))); err != nil {
				t.Fatalf("Repair = %v", err)
			}
			_, err := os.Stat(path)
			if gone := errors.Is(err, os.ErrNotExist); gone != c.removed {
				t.Fatalf("Repair on %s of %d bytes: removed = %v; want %v", c.name, len(c.content), gone, c.removed)
			}
			if c.removed != strings.Contains(logged.String(), c.name) {
				t.Fatalf("Repair removed = %v but logged %q", c.removed, logged.String())
			}
		})
	}
}

func TestRepairMissingDirectory(t *testing.T) {
	if err := Repair(filepath.Join(t.TempDir(), "none"), slog.Default()); err != nil {
		t.Fatalf("Repair(missing dir) = %v; want nil", err)
	}
}

// A database open in another process (or handle) is never touched: the file
// it is creating may be empty only for an instant.
func TestRepairRefusesOpenDatabase(t *testing.T) {
	dir := t.TempDir()
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	path := filepath.Join(dir, "000099.vlog")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)
	if err := Repair(dir, slog.Default()); !errors.Is(err, ErrInUse) {
		t.Fatalf("Repair on an open database = %v; want ErrInUse", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("Repair on an open database removed a file: %v", err)
	}
}
