package sync

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/borgerkiosk/borgerkiosk/internal/badgerfix"
	"github.com/dgraph-io/badger/v4"
)

// Open opens or creates the outbox in dir. See Options for the key file
// rules: a missing key for an existing outbox, or a wrong key, is an error
// (ErrKeyMissing, ErrWrongKey) and nothing on disk is changed.
func Open(dir string, opts Options) (*Outbox, error) {
	if dir == "" {
		return nil, errors.New("outbox: no data directory given")
	}
	dir = filepath.Clean(dir)
	if opts.KeyFile == "" {
		opts.KeyFile = dir + ".key"
	}
	if opts.Retention <= 0 {
		opts.Retention = 24 * time.Hour
	}
	if opts.MaintenanceInterval == 0 {
		opts.MaintenanceInterval = 5 * time.Minute
	}
	if opts.MinFreeBytes == 0 {
		opts.MinFreeBytes = 64 << 20
	}
	if opts.CloseTimeout <= 0 {
		opts.CloseTimeout = 15 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger.With("component", "outbox")

	var key []byte
	var err error
	if opts.ReadOnly {
		if !isOutbox(dir) {
			return nil, fmt.Errorf("outbox: no outbox in %s (no Badger MANIFEST there; the kiosk keeps its outbox in data_dir/outbox)", dir)
		}
		b, rerr := os.ReadFile(opts.KeyFile)
		if errors.Is(rerr, os.ErrNotExist) {
			return nil, fmt.Errorf("outbox: %w: %s (data in %s)", ErrKeyMissing, opts.KeyFile, dir)
		} else if rerr != nil {
			return nil, fmt.Errorf("outbox: reading key file: %w", rerr)
		}
		key, err = parseKey(opts.KeyFile, b)
	} else {
		key, err = loadOrCreateKey(opts.KeyFile, dir)
	}
	if err != nil {
		return nil, err
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
	}
	if !opts.ReadOnly {
		if err := badgerfix.Repair(dir, log); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
	}
	blog := &badgerLogger{l: log}
	var db *badger.DB
	copyDir, cleanup := "", func() {}
	if opts.ReadOnly {
		db, copyDir, cleanup, err = openReadOnly(dir, key, log, blog)
	} else {
		db, err = badger.Open(badgerOptions(dir, key, false, blog))
	}
	if errors.Is(err, badger.ErrEncryptionKeyMismatch) {
		return nil, fmt.Errorf("outbox: %w: %s does not open %s", ErrWrongKey, opts.KeyFile, dir)
	} else if err != nil {
		return nil, fmt.Errorf("outbox: opening %s: %w", dir, err)
	}
	o := &Outbox{db: db, dir: dir, opts: opts, log: log, blog: blog, copyDir: copyDir, cleanup: cleanup,
		notify: make(chan struct{}, 1), stop: make(chan struct{}), wal: walSync{dir: dir}}
	if err := o.load(); err != nil {
		db.Close()
		o.wal.close()
		cleanup()
		return nil, err
	}
	if opts.MaintenanceInterval > 0 && !opts.ReadOnly {
		o.wg.Add(1)
		go o.maintain()
	}
	return o, nil
}

// badgerOptions are sized for a kiosk PC: small memtables and caches (a few
// tens of MB resident), values inline in the LSM tree (actions are ~1.5 KB).
// Every commit is synced, by the outbox itself (walSync), not by Badger's
// SyncWrites, which would also msync the unused value log each time.
func badgerOptions(dir string, key []byte, readOnly bool, log *badgerLogger) badger.Options {
	return badger.DefaultOptions(dir).
		WithSyncWrites(false).
		WithReadOnly(readOnly).
		WithLogger(log). // not WithLoggingLevel: it replaces the logger with Badger's own
		WithMetricsEnabled(false).
		WithNumVersionsToKeep(1).
		WithMemTableSize(4 << 20).
		WithNumMemtables(2).
		WithValueThreshold(MaxActionBytes + 1024).
		WithValueLogFileSize(1 << 20).
		WithBlockCacheSize(4 << 20).
		WithIndexCacheSize(2 << 20).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(4).
		WithBaseTableSize(2 << 20).
		WithNumCompactors(2).
		WithNumGoroutines(2).
		WithCompactL0OnClose(true).
		WithEncryptionKey(key).
		WithEncryptionKeyRotationDuration(30 * 24 * time.Hour)
}

func (o *Outbox) load() error {
	return o.viewOrUpdate(func(txn *badger.Txn) error {
		item, err := txn.Get(kIncarnation)
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
			if o.opts.ReadOnly {
				return errors.New("outbox: the outbox has no incarnation id")
			}
			it := txn.NewIterator(badger.IteratorOptions{})
			it.Rewind()
			empty := !it.Valid()
			it.Close()
			if !empty {
				return errors.New("outbox: the database holds data but no incarnation id; refusing to use it")
			}
			var b [16]byte
			rand.Read(b[:])
			o.inc = hex.EncodeToString(b[:])
			return txn.Set(kIncarnation, []byte(o.inc))
		case err != nil:
			return fmt.Errorf("outbox: reading incarnation: %w", err)
		}
		v, err := item.ValueCopy(nil)
		if err != nil {
			return fmt.Errorf("outbox: reading incarnation: %w", err)
		}
		o.inc = string(v)
		if o.acked, err = getU64(txn, kAcked); err != nil {
			return err
		}
		if o.purged, err = getU64(txn, kPurged); err != nil {
			return err
		}
		o.last = o.acked
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pAction}, Reverse: true})
		it.Seek(seqKey(pAction, ^uint64(0)))
		if it.Valid() {
			if s := keySeq(it.Item().Key()); s > o.last {
				o.last = s
			}
		}
		it.Close()
		it = txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pAttention}})
		for it.Rewind(); it.Valid(); it.Next() {
			o.attention++
		}
		it.Close()
		o.oldest, err = o.enqueuedAt(txn, o.acked+1)
		return err
	})
}

// Close stops maintenance and closes the database. It is safe to call twice.
// It returns within CloseTimeout even when Badger cannot finish (it retries
// a failed flush forever): then it logs and returns an error and leaves
// Badger to the process's exit. Nothing confirmed is lost that way: every
// Enqueue was synced to the memtable log, which the next Open reads.
func (o *Outbox) Close() error {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return nil
	}
	o.closed = true
	o.mu.Unlock()
	done := make(chan error, 1)
	go func() {
		close(o.stop)
		o.wg.Wait()
		err := o.db.Close()
		o.wal.close()
		o.cleanup()
		done <- err
	}()
	t := time.NewTimer(o.opts.CloseTimeout)
	defer t.Stop()
	select {
	case err := <-done:
		if err != nil {
			o.log.Error("closing the outbox failed", "err", err)
			return fmt.Errorf("outbox: closing: %w", err)
		}
		return nil
	case <-t.C:
		last := o.blog.lastError()
		o.log.Error("closing the outbox did not finish in time; stopping without a clean close (confirmed actions are in the memtable log and are read at the next start)",
			"timeout", o.opts.CloseTimeout, "badger_error", last)
		if last != "" {
			last = " (Badger's last error: " + last + ")"
		}
		return fmt.Errorf("outbox: closing did not finish within %v%s; confirmed actions are kept and are read at the next start", o.opts.CloseTimeout, last)
	}
}
