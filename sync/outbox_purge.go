package sync

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// purgeChunk bounds the deletes in one transaction.
const purgeChunk = 512

// Purge deletes actions (and their verdicts) that were acknowledged at least
// Retention before now, and returns how many it deleted; dismissals made
// Retention before now go too. It walks from the
// purge cursor, so its cost does not grow with history.
func (o *Outbox) Purge(now time.Time) (int, error) {
	cutoff := now.Add(-o.opts.Retention)
	o.purgeMu.Lock()
	defer o.purgeMu.Unlock()
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return 0, ErrClosed
	}
	purged := o.purged
	o.mu.Unlock()
	if err := o.purgeDismissals(cutoff); err != nil {
		return 0, fmt.Errorf("outbox: purging dismissals: %w", err)
	}

	// Find the highest acked sequence whose acknowledgement is old enough.
	var target uint64
	var ackKeys [][]byte
	err := o.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pAckTime}, PrefetchValues: true})
		defer it.Close()
		// Ack times up to the purge cursor are deleted; seeking past them
		// skips their tombstones.
		for it.Seek(seqKey(pAckTime, purged+1)); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil || len(v) != 8 {
				return fmt.Errorf("outbox: bad ack time: %v", err)
			}
			if time.Unix(0, int64(binary.BigEndian.Uint64(v))).After(cutoff) {
				break
			}
			target = keySeq(it.Item().Key())
			ackKeys = append(ackKeys, it.Item().KeyCopy(nil))
		}
		return nil
	})
	if err != nil || target <= purged {
		return 0, err
	}
	n := 0
	for from := purged + 1; from <= target; {
		to := min(from+purgeChunk-1, target)
		err := o.update(func(txn *badger.Txn) error {
			for s := from; s <= to; s++ {
				if err := txn.Delete(seqKey(pAction, s)); err != nil {
					return err
				}
				if err := txn.Delete(seqKey(pVerdict, s)); err != nil {
					return err
				}
			}
			for len(ackKeys) > 0 && keySeq(ackKeys[0]) <= to {
				if err := txn.Delete(ackKeys[0]); err != nil {
					return err
				}
				ackKeys = ackKeys[1:]
			}
			return txn.Set(kPurged, u64(to))
		})
		if err != nil {
			return n, fmt.Errorf("outbox: purging: %w", err)
		}
		o.mu.Lock()
		o.purged = to
		o.mu.Unlock()
		n += int(to - from + 1)
		from = to + 1
	}
	return n, nil
}

// GC runs Badger's value-log garbage collection until it finds nothing to
// rewrite.
func (o *Outbox) GC() {
	for i := 0; i < 16; i++ {
		if err := o.db.RunValueLogGC(0.5); err != nil {
			if !errors.Is(err, badger.ErrNoRewrite) && !errors.Is(err, badger.ErrRejected) {
				o.log.Warn("value-log GC", "err", err)
			}
			return
		}
	}
}

func (o *Outbox) maintain() {
	defer o.wg.Done()
	t := time.NewTicker(o.opts.MaintenanceInterval)
	defer t.Stop()
	for {
		select {
		case <-o.stop:
			return
		case <-t.C:
			if n, err := o.Purge(o.opts.Now()); err != nil {
				o.log.Warn("purge", "err", err)
			} else if n > 0 {
				o.log.Debug("purged acknowledged actions", "count", n)
			}
			o.GC()
		}
	}
}
