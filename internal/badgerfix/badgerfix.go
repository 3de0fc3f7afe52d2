// Package badgerfix repairs what a killed process leaves in a Badger v4
// directory that Badger itself then refuses to open.
//
// Badger v4.9.6 creates a memtable log (NNNNN.mem) and a value log
// (NNNNNN.vlog) on every open and when one fills: it creates the file, sizes
// it, then writes a 20-byte header (data-key id and IV). A SIGKILL between
// those steps leaves a zero-length or all-zero file, and the next open fails
// with "Create a new file" (an existing empty file is taken for a new one
// and refused) or, for a value log, goes on writing it unencrypted. Such a
// file cannot hold an entry: entries are written only after the header. The
// failed open writes the header, so a second open works, which is why the
// fault looked like "starts on the second try".
package badgerfix

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// headerSize is Badger's log-file header: 8-byte data-key id, 12-byte IV.
// The IV is random, so a real header is never all zeros, even unencrypted.
const headerSize = 20

// ErrInUse is returned when another process holds the directory: a running
// Badger's files are never touched.
var ErrInUse = errors.New("the database is in use by another process")

// Repair removes the memtable and value logs in dir that cannot hold an
// entry: empty, shorter than the header, or nothing but zeros. It touches no
// other file, and none with a byte of data. Each removal is logged. It holds
// Badger's own directory lock (flock on the directory) while it works, so it
// never runs beside a process that has the database open; it must be called
// before badger.Open, and a missing directory is not an error.
func Repair(dir string, log *slog.Logger) error {
	d, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer d.Close() // releases the lock
	if err := lock(d, true); err != nil {
		return err
	}
	ents, err := d.ReadDir(-1)
	if err != nil {
		return err
	}
	removed := false
	for _, e := range ents {
		if ext := filepath.Ext(e.Name()); e.IsDir() || (ext != ".mem" && ext != ".vlog") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		n, empty, err := holdsNothing(path)
		if err != nil {
			return err
		}
		if !empty {
			continue
		}
		log.Warn("removing a log file a crash left before Badger started it (it holds no entry)", "file", path, "bytes", n)
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("removing unstarted log file: %w", err)
		}
		removed = true
	}
	if removed {
		return d.Sync()
	}
	return nil
}

// holdsNothing reports whether the log file at path is shorter than its
// header or all zeros; n is its size. A started file is read no further
// than its first block, so a healthy store opens without reading its logs.
func holdsNothing(path string) (n int64, empty bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, false, err
	}
	if st.Size() < headerSize {
		return st.Size(), true, nil
	}
	buf, zero := make([]byte, 1<<16), make([]byte, 1<<16)
	for {
		k, err := f.Read(buf)
		if !bytes.Equal(buf[:k], zero[:k]) {
			return st.Size(), false, nil
		}
		if err == io.EOF {
			return st.Size(), true, nil
		}
		if err != nil {
			return 0, false, err
		}
	}
}

// HoldShared takes Badger's directory lock on dir shared, as a read-only
// Badger does, and keeps it until release is called: no writer can open the
// database meanwhile. ErrInUse means a writer has it open now.
func HoldShared(dir string) (release func(), err error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := lock(d, false); err != nil {
		d.Close()
		return nil, err
	}
	return func() { d.Close() }, nil
}
