package sync

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/borgerkiosk/borgerkiosk/internal/badgerfix"
	"github.com/dgraph-io/badger/v4"
)

// ErrReadOnly is returned by every write to an outbox opened ReadOnly.
var ErrReadOnly = errors.New("outbox is open read-only")

// isOutbox reports whether dir holds a Badger database (its MANIFEST).
func isOutbox(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "MANIFEST"))
	return err == nil
}

// openReadOnly opens dir for inspection without changing a byte of it. It
// holds Badger's shared directory lock until Close, so the kiosk cannot
// start writing meanwhile, and refuses while the kiosk runs. After an
// unclean stop Badger refuses a read-only open, because the memtable log
// must be truncated first; then this reads a copy, opened read-write (Badger
// repairs the copy), and the kiosk repairs its own files at its next start.
func openReadOnly(dir string, key []byte, log *slog.Logger, blog *badgerLogger) (db *badger.DB, copyDir string, cleanup func(), err error) {
	release, err := badgerfix.HoldShared(dir)
	if errors.Is(err, badgerfix.ErrInUse) {
		return nil, "", nil, errors.New("it is in use by a running kiosk; stop the kiosk first")
	} else if err != nil {
		return nil, "", nil, err
	}
	db, err = badger.Open(badgerOptions(dir, key, true, blog))
	if err == nil {
		return db, "", release, nil
	}
	if !strings.Contains(err.Error(), badger.ErrTruncateNeeded.Error()) {
		release()
		return nil, "", nil, err
	}
	copyDir, err = os.MkdirTemp("", "borgerkiosk-outbox-copy-")
	if err == nil {
		err = copyFiles(dir, copyDir)
	}
	if err == nil {
		err = badgerfix.Repair(copyDir, log)
	}
	if err == nil {
		db, err = badger.Open(badgerOptions(copyDir, key, false, blog))
	}
	cleanup = func() {
		release()
		os.RemoveAll(copyDir)
	}
	if err != nil {
		cleanup()
		return nil, "", nil, fmt.Errorf("it was not closed cleanly, and reading a copy of it failed: %w", err)
	}
	log.Warn("the outbox was not closed cleanly; reading a repaired copy, its own files stay unchanged (the kiosk repairs them at its next start)", "dir", dir, "copy", copyDir)
	return db, copyDir, cleanup, nil
}

// copyFiles copies the regular files of src (a Badger directory has no
// subdirectories) into dst, except Badger's pid file.
func copyFiles(src, dst string) error {
	ents, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !e.Type().IsRegular() || e.Name() == "LOCK" {
			continue
		}
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// ReadsCopy reports whether this read-only outbox reads a repaired copy
// because the kiosk did not stop cleanly.
func (o *Outbox) ReadsCopy() bool { return o.copyDir != "" }
