package sync

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/dgraph-io/badger/v4"
)

// AttentionItem is a rejected or superseded action that staff should look
// at. The stored entry holds nothing that identifies a citizen; ActorName and
// ActorCPR (masked) are read from the action itself while it is still kept,
// so they disappear when the action is purged after the retention period.
type AttentionItem struct {
	Seq        uint64        `json:"seq"`
	ActionID   string        `json:"action_id"`
	Kind       bk.ActionKind `json:"kind"`
	OccurredAt time.Time     `json:"occurred_at"`
	DecidedAt  time.Time     `json:"decided_at"`
	Outcome    bk.Outcome    `json:"outcome"`
	Reason     string        `json:"reason"`
	Message    string        `json:"message"`
	Assisted   bool          `json:"assisted"`
	ActorName  string        `json:"-"` // empty once purged
	ActorCPR   string        `json:"-"` // masked, DDMMYY-xxxx; empty once purged
}

// ErrNotOnList is returned by Dismiss for a sequence not on the attention list.
var ErrNotOnList = errors.New("outbox: no such action on the attention list")

func attentionFor(txn *badger.Txn, seq uint64, v bk.Verdict, decided time.Time) ([]byte, error) {
	e := AttentionItem{Seq: seq, ActionID: v.ActionID, DecidedAt: decided, Outcome: v.Outcome, Reason: v.Reason, Message: v.Message}
	r, err := getRecord(txn, seq)
	if err != nil {
		return nil, err
	}
	if r != nil {
		var a bk.Action
		if err := json.Unmarshal(r.Action, &a); err == nil {
			e.ActionID, e.Kind, e.OccurredAt, e.Assisted = a.ID, a.Kind, a.OccurredAt, a.Assist != nil
		}
	}
	return json.Marshal(e)
}

// Attention lists the actions staff should look at, oldest first.
func (o *Outbox) Attention() ([]AttentionItem, error) {
	var out []AttentionItem
	err := o.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pAttention}, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var e AttentionItem
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &e) }); err != nil {
				return fmt.Errorf("outbox: attention entry %d is unreadable: %w", keySeq(it.Item().Key()), err)
			}
			r, err := getRecord(txn, e.Seq)
			if err != nil {
				return err
			}
			if r != nil {
				var a bk.Action
				if json.Unmarshal(r.Action, &a) == nil {
					if c, err := bk.DecodeCertificate(a.ActorCert); err == nil {
						e.ActorName, e.ActorCPR = c.Name, c.CPR.Masked()
					}
				}
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// Dismissal records that a staff member took an action off the attention
// list: who (a staff id, never a citizen) and when. It is kept for the
// outbox's Retention after the dismissal, then purged.
type Dismissal struct {
	Seq      uint64        `json:"seq"`
	ActionID string        `json:"action_id"`
	Kind     bk.ActionKind `json:"kind"`
	Outcome  bk.Outcome    `json:"outcome"`
	Reason   string        `json:"reason"`
	By       string        `json:"by"` // the staff id of the card signed in
	At       time.Time     `json:"at"`
}

// Dismiss takes an action off the attention list once staff member by has
// dealt with it (the staff screen's "remove from the list"), and records who
// did and when (Dismissed). The action itself goes with the normal purge.
func (o *Outbox) Dismiss(seq uint64, by string) error {
	if by == "" {
		return errors.New("outbox: a dismissal must name the staff member")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return ErrClosed
	}
	err := o.update(func(txn *badger.Txn) error {
		item, err := txn.Get(seqKey(pAttention, seq))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return ErrNotOnList
		} else if err != nil {
			return err
		}
		var e AttentionItem
		if err := item.Value(func(v []byte) error { return json.Unmarshal(v, &e) }); err != nil {
			return fmt.Errorf("outbox: attention entry %d is unreadable: %w", seq, err)
		}
		d, err := json.Marshal(Dismissal{Seq: seq, ActionID: e.ActionID, Kind: e.Kind, Outcome: e.Outcome,
			Reason: e.Reason, By: by, At: o.opts.Now()})
		if err != nil {
			return err
		}
		if err := txn.Set(seqKey(pDismissed, seq), d); err != nil {
			return err
		}
		return txn.Delete(seqKey(pAttention, seq))
	})
	if err != nil {
		return err
	}
	o.attention--
	return nil
}

// Dismissed lists the dismissals kept, in sequence order.
func (o *Outbox) Dismissed() ([]Dismissal, error) {
	var out []Dismissal
	err := o.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pDismissed}, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var d Dismissal
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &d) }); err != nil {
				return fmt.Errorf("outbox: dismissal %d is unreadable: %w", keySeq(it.Item().Key()), err)
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// purgeDismissals deletes the dismissals made at or before cutoff. There are
// few (one per action staff looked at), so all are read.
func (o *Outbox) purgeDismissals(cutoff time.Time) error {
	ds, err := o.Dismissed()
	if err != nil {
		return err
	}
	var old []uint64
	for _, d := range ds {
		if !d.At.After(cutoff) {
			old = append(old, d.Seq)
		}
	}
	if len(old) == 0 {
		return nil // nothing to write, also in a read-only outbox
	}
	return o.update(func(txn *badger.Txn) error {
		for _, seq := range old {
			if err := txn.Delete(seqKey(pDismissed, seq)); err != nil {
				return err
			}
		}
		return nil
	})
}
