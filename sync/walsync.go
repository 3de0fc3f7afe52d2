package sync

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
)

// walSync makes each committed write durable in place of Badger's
// SyncWrites. With SyncWrites Badger v4.9.6 msyncs two files per commit: the
// active memtable log (*.mem), which holds our values (they are all below
// the value threshold), and the value log (*.vlog), although nothing is
// written to it (value.go, valueLog.write, syncs it in a defer either way).
// On ext4 that second, clean msync still flushes the device cache, about as
// dear as the first. So Badger runs with SyncWrites off and the outbox
// fsyncs every memtable log in the directory after each commit. Every one,
// not the newest: a commit lands in the memtable that is current when it is
// applied, and Badger does not sync a memtable log when it rotates it. A
// log that is gone was first flushed to a table Badger msyncs and records in
// its synced manifest (db.go, flushMemtable), whatever SyncWrites says. A
// value log is synced once, when first seen: Badger writes its header when
// it creates it and nothing after that. TestEnqueueLeavesNothingUnsynced
// checks that no page of either kind is left dirty after a commit.
type walSync struct {
	dir   string
	mu    gosync.Mutex
	files map[string]*os.File // open memtable logs, by name
	vlogs map[string]bool     // value logs already synced
}

// How Badger names its logs (memtable.go memFileExt, value.go fpath).
const (
	memLogExt   = ".mem"
	valueLogExt = ".vlog"
)

// sync fsyncs every memtable log in the directory, and a value log the first
// time it is seen. An fsync through our own descriptor writes back the pages
// Badger wrote through its mapping: on Linux both are the one page cache,
// and msync(MS_SYNC) is the same call.
func (w *walSync) sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	entries, err := os.ReadDir(w.dir)
	if err != nil {
		return fmt.Errorf("outbox: listing memtable logs: %w", err)
	}
	if w.files == nil {
		w.files, w.vlogs = make(map[string]*os.File), make(map[string]bool)
	}
	synced := 0
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasSuffix(name, memLogExt):
			f := w.files[name]
			if f == nil {
				if f, err = w.open(name); f == nil {
					if err != nil {
						return err
					}
					continue // flushed to a synced table since the listing
				}
				w.files[name] = f
			}
			if err := f.Sync(); err != nil {
				return fmt.Errorf("outbox: syncing memtable log %s: %w", name, err)
			}
			synced++
		case strings.HasSuffix(name, valueLogExt) && !w.vlogs[name]:
			f, err := w.open(name)
			if f == nil {
				if err != nil {
					return err
				}
				continue
			}
			err = f.Sync()
			f.Close()
			if err != nil {
				return fmt.Errorf("outbox: syncing value log %s: %w", name, err)
			}
			w.vlogs[name] = true
		}
	}
	if synced < len(w.files) {
		w.forget(entries)
	}
	return nil
}

// open opens a log for syncing; nil and no error when it is gone.
func (w *walSync) open(name string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(w.dir, name), os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("outbox: opening %s to sync it: %w", name, err)
	}
	return f, nil
}

// forget closes the descriptors of memtable logs Badger has deleted.
func (w *walSync) forget(entries []os.DirEntry) {
	present := make(map[string]bool, len(entries))
	for _, e := range entries {
		present[e.Name()] = true
	}
	for name, f := range w.files {
		if !present[name] {
			f.Close()
			delete(w.files, name)
		}
	}
}

func (w *walSync) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for name, f := range w.files {
		f.Close()
		delete(w.files, name)
	}
}
