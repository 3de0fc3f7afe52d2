package badgerstore

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
)

// Web state (central.WebStateTx) has two tables:
//
//	web/<kind><key>             8-byte big-endian expiry (Unix ns), then the central.WebState as JSON
//	web-exp/<expiry><kind><key> empty: the records in order of expiry, for the sweep
//
// No Badger TTL: expiry is by central's clock, which tests set, and the
// sweep (DeleteWebStateBefore) removes both keys.

func webKey(kind, k string) []byte { return key("web", seg(kind), seg(k)) }

func webExpKey(exp uint64, kind, k string) []byte {
	return key("web-exp", u64(exp), seg(kind), seg(k))
}

func unixNano(t time.Time) uint64 {
	if n := t.UnixNano(); n > 0 {
		return uint64(n)
	}
	return 0
}

// webState reads the record under k, or returns ENotFound.
func (t *tx) webState(k []byte) (*central.WebState, error) {
	item, err := t.txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, notFound("web state")
	}
	if err != nil {
		return nil, err
	}
	var w central.WebState
	err = item.Value(func(b []byte) error {
		if len(b) < 8 {
			return errors.New("badgerstore: web state record too short")
		}
		if err := json.Unmarshal(b[8:], &w); err != nil {
			return fmt.Errorf("badgerstore: decode web state: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &w, nil
}

func (t *tx) PutWebState(w *central.WebState) error {
	if w.Kind == "" || w.Key == "" {
		return bk.Errorf(bk.EInvalid, "web state needs a kind and a key")
	}
	if err := t.DeleteWebState(w.Kind, w.Key); err != nil && bk.ErrorCode(err) != bk.ENotFound {
		return err
	}
	b, err := json.Marshal(w)
	if err != nil {
		return fmt.Errorf("badgerstore: encode web state: %w", err)
	}
	exp := unixNano(w.ExpiresAt)
	if err := t.txn.Set(webKey(w.Kind, w.Key), append(u64(exp), b...)); err != nil {
		return err
	}
	return t.txn.Set(webExpKey(exp, w.Kind, w.Key), nil)
}

func (t *tx) WebState(kind, k string) (*central.WebState, error) {
	return t.webState(webKey(kind, k))
}

func (t *tx) DeleteWebState(kind, k string) error {
	w, err := t.webState(webKey(kind, k))
	if err != nil {
		return err
	}
	if err := t.txn.Delete(webKey(kind, k)); err != nil {
		return err
	}
	return t.txn.Delete(webExpKey(unixNano(w.ExpiresAt), kind, k))
}

func (t *tx) CountWebState(kind string, now time.Time) (int, error) {
	n, after := 0, unixNano(now)
	err := t.scan(key("web", seg(kind)), true, func(_, val []byte) error {
		if len(val) >= 8 && binary.BigEndian.Uint64(val) > after {
			n++
		}
		return nil
	})
	return n, err
}

func (t *tx) DeleteWebStateBefore(before time.Time, limit int) (int, error) {
	type rec struct{ kind, key string }
	var gone [][]byte
	var recs []rec
	cut := unixNano(before)
	stop := errors.New("stop")
	err := t.scan(key("web-exp"), false, func(suffix, _ []byte) error {
		if len(suffix) < 8 || binary.BigEndian.Uint64(suffix) >= cut || (limit > 0 && len(gone) >= limit) {
			return stop
		}
		kind, rest, ok := unseg(suffix[8:])
		k, _, ok2 := unseg(rest)
		if !ok || !ok2 {
			return errors.New("badgerstore: malformed web state index key")
		}
		gone = append(gone, key("web-exp", suffix))
		recs = append(recs, rec{kind, k})
		return nil
	})
	if err != nil && err != stop {
		return 0, err
	}
	for i, r := range recs {
		if err := t.txn.Delete(webKey(r.kind, r.key)); err != nil {
			return 0, err
		}
		if err := t.txn.Delete(gone[i]); err != nil {
			return 0, err
		}
	}
	return len(recs), nil
}

// unseg splits a seg-encoded string off the front of b.
func unseg(b []byte) (s string, rest []byte, ok bool) {
	if len(b) < 2 {
		return "", nil, false
	}
	n := int(binary.BigEndian.Uint16(b))
	if len(b) < 2+n {
		return "", nil, false
	}
	return string(b[2 : 2+n]), b[2+n:], true
}
