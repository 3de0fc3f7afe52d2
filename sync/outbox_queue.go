package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/dgraph-io/badger/v4"
)

// Enqueue stores a signed action durably and returns its sequence number. It
// returns only after the action is synced to disk; on any error the action
// is not stored (the error carries a person-safe *bk.Error for the screen).
// After a write or sync error the outbox refuses further enqueues until it
// is reopened, because Badger's state after a failed write is not trusted.
func (o *Outbox) Enqueue(ctx context.Context, a *bk.Action) (uint64, error) {
	if a == nil {
		return 0, bk.Errorf(bk.EInvalid, "no action to save")
	}
	if err := a.Validate(); err != nil {
		return 0, err
	}
	raw, err := json.Marshal(a)
	if err != nil {
		return 0, bk.Errorf(bk.EInvalid, "action cannot be encoded: %v", err)
	}
	if len(raw) > MaxActionBytes {
		return 0, bk.Errorf(bk.EInvalid, "action is too large (%d bytes, at most %d)", len(raw), MaxActionBytes)
	}
	now := o.opts.Now().UTC()
	val := encodeRecord(now, a.ContentHash(), raw)

	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return 0, newSaveError(ErrClosed)
	}
	if o.broken != nil {
		return 0, newSaveError(fmt.Errorf("outbox failed earlier and must be reopened: %w", o.broken))
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := o.checkFree(now, len(val)); err != nil {
		return 0, newSaveError(err)
	}
	seq := o.last + 1
	err = o.update(func(txn *badger.Txn) error { return txn.Set(seqKey(pAction, seq), val) })
	if err != nil {
		if !errors.Is(err, ErrReadOnly) {
			o.broken = err
		}
		o.log.Error("enqueue failed", "seq", seq, "err", err)
		return 0, newSaveError(err)
	}
	o.last = seq
	if o.last == o.acked+1 {
		o.oldest = now
	}
	select {
	case o.notify <- struct{}{}:
	default:
	}
	return seq, nil
}

// freeCheckEvery is how long Enqueue trusts its last look at free space.
const freeCheckEvery = time.Second

// checkFree is the free-space guard, called with o.mu held before n bytes
// are written: ErrDiskFull when the disk holds less than MinFreeBytes.
func (o *Outbox) checkFree(now time.Time, n int) error {
	if o.opts.MinFreeBytes <= 0 {
		return nil
	}
	o.writtenSince += int64(n)
	if age := now.Sub(o.freeCheckedAt); !o.lowSpace && age >= 0 && age < freeCheckEvery && o.writtenSince < o.opts.MinFreeBytes/16 {
		return nil
	}
	o.freeSpaceLooks++
	free, ok := diskFree(o.dir)
	if !ok {
		return nil
	}
	o.freeCheckedAt, o.writtenSince = now, 0
	o.lowSpace = free < 2*uint64(o.opts.MinFreeBytes)
	if free < uint64(o.opts.MinFreeBytes) {
		return fmt.Errorf("%w: %d bytes free, %d needed", ErrDiskFull, free, o.opts.MinFreeBytes)
	}
	return nil
}

// Pending returns up to maxN stored actions in sequence, starting at
// max(fromSeq, acked+1), whose encoded size stays within maxBytes (at least
// one action is always returned when any is pending).
func (o *Outbox) Pending(fromSeq uint64, maxN, maxBytes int) ([]bk.PushItem, error) {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return nil, ErrClosed
	}
	start := max(fromSeq, o.acked+1)
	last := o.last // never hand out an action whose enqueue did not succeed
	o.mu.Unlock()
	return o.read(start, last, maxN, maxBytes)
}

// Kept returns up to maxN actions central has acknowledged that are still
// kept until the retention period ends, in sequence (for kioskctl queue).
func (o *Outbox) Kept(maxN int) ([]bk.PushItem, error) {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return nil, ErrClosed
	}
	start, last := o.purged+1, o.acked
	o.mu.Unlock()
	return o.read(start, last, maxN, math.MaxInt)
}

// read returns the stored actions start…last, at most maxN of them and
// within maxBytes (but at least one).
func (o *Outbox) read(start, last uint64, maxN, maxBytes int) ([]bk.PushItem, error) {
	if maxN <= 0 || start > last {
		return nil, nil
	}
	var items []bk.PushItem
	size := 0
	err := o.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pAction}, PrefetchValues: true, PrefetchSize: min(maxN, 64)})
		defer it.Close()
		want := start
		for it.Seek(seqKey(pAction, start)); it.Valid() && len(items) < maxN; it.Next() {
			seq := keySeq(it.Item().Key())
			if seq > last {
				break
			}
			if seq != want {
				return fmt.Errorf("outbox: action %d is missing (found %d)", want, seq)
			}
			var r record
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &r) }); err != nil {
				return fmt.Errorf("outbox: action %d is unreadable: %w", seq, err)
			}
			n := len(r.Action) + 2*len(r.Hash) + 64
			if len(items) > 0 && size+n > maxBytes {
				break
			}
			var a bk.Action
			if err := json.Unmarshal(r.Action, &a); err != nil {
				return fmt.Errorf("outbox: action %d is unreadable: %w", seq, err)
			}
			items = append(items, bk.PushItem{Seq: seq, Hash: r.Hash, Action: &a})
			size += n
			want++
		}
		if len(items) == 0 {
			return fmt.Errorf("outbox: action %d is missing", start)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return items, nil
}

// Ack records central's answer: verdicts for the acknowledged actions
// (rejected and superseded ones also go on the attention list) and the acked
// pointer moved to resp.LastSeq. An answer that acknowledges less than is
// already acked changes nothing; one that acknowledges more than was ever
// stored is an error (it means central's view of this kiosk is not ours).
func (o *Outbox) Ack(resp bk.PushResponse) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return ErrClosed
	}
	if resp.LastSeq > o.last {
		return fmt.Errorf("outbox: central acknowledges up to %d but this outbox only holds %d", resp.LastSeq, o.last)
	}
	if resp.LastSeq <= o.acked {
		return nil
	}
	now := o.opts.Now().UTC()
	from, to := o.acked+1, resp.LastSeq
	att := 0
	var oldest time.Time
	err := o.update(func(txn *badger.Txn) error {
		var ids map[string]uint64
		for _, v := range resp.Verdicts {
			seq := v.Seq
			if seq == 0 || seq < from || seq > to {
				if ids == nil {
					var err error
					if ids, err = actionIDs(txn, from, to); err != nil {
						return err
					}
				}
				s, ok := ids[v.ActionID]
				if !ok {
					continue // an answer about an action outside this ack
				}
				seq = s
			}
			if _, err := txn.Get(seqKey(pVerdict, seq)); err == nil {
				continue // the first verdict stays
			}
			if v.Outcome == bk.Duplicate && v.First != nil {
				// Our first push got through but its answer was lost: what
				// counts is what central decided then.
				v = *v.First
			}
			v.Seq = seq
			sv, _ := json.Marshal(storedVerdict{Verdict: v, DecidedAt: now})
			if err := txn.Set(seqKey(pVerdict, seq), sv); err != nil {
				return err
			}
			if v.NeedsAttention() {
				e, err := attentionFor(txn, seq, v, now)
				if err != nil {
					return err
				}
				if err := txn.Set(seqKey(pAttention, seq), e); err != nil {
					return err
				}
				att++
			}
		}
		if err := txn.Set(kAcked, u64(to)); err != nil {
			return err
		}
		if err := txn.Set(seqKey(pAckTime, to), u64(uint64(now.UnixNano()))); err != nil {
			return err
		}
		var err error
		oldest, err = o.enqueuedAt(txn, to+1)
		return err
	})
	if err != nil {
		return fmt.Errorf("outbox: recording acknowledgement: %w", err)
	}
	o.acked = to
	o.attention += att
	o.oldest = oldest
	return nil
}

func actionIDs(txn *badger.Txn, from, to uint64) (map[string]uint64, error) {
	ids := map[string]uint64{}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pAction}, PrefetchValues: true})
	defer it.Close()
	for it.Seek(seqKey(pAction, from)); it.Valid(); it.Next() {
		seq := keySeq(it.Item().Key())
		if seq > to {
			break
		}
		var r struct {
			Action struct {
				ID string `json:"action_id"`
			} `json:"action"`
		}
		if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &r) }); err != nil {
			return nil, fmt.Errorf("outbox: action %d is unreadable: %w", seq, err)
		}
		ids[r.Action.ID] = seq
	}
	return ids, nil
}

// Verdict returns central's stored verdict for seq; ok is false when there
// is none (not yet answered, or purged).
func (o *Outbox) Verdict(seq uint64) (v bk.Verdict, decidedAt time.Time, ok bool, err error) {
	err = o.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(seqKey(pVerdict, seq))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var sv storedVerdict
		if err := item.Value(func(b []byte) error { return json.Unmarshal(b, &sv) }); err != nil {
			return err
		}
		v, decidedAt, ok = sv.Verdict, sv.DecidedAt, true
		return nil
	})
	return v, decidedAt, ok, err
}
