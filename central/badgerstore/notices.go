package badgerstore

// Contact details and the notice outbox. Per-citizen data is kept under
// H(cpr), with no CPR number in a value; notices and timers name only the
// delegation or consent they are about.
//
//	contact/<H(cpr)>                  bk.Contact
//	notice/<id>                       central.Notice
//	notice-due/<next at><id>          pending notices by when to try (8-byte big-endian Unix ns)
//	notice-state/<state><id>          every notice by state, for the dead-letter list
//	timer/<id>                        central.Timer
//	timer-due/<due at><id>

import (
	"bytes"
	"fmt"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/dgraph-io/badger/v4"
)

func (t *tx) Contact(cpr bk.CPR) (*bk.Contact, error) {
	var c bk.Contact
	if err := t.get(key("contact", t.cprHash(cpr)), &c, "contact"); err != nil {
		return nil, err
	}
	return &c, nil
}

func (t *tx) PutContact(cpr bk.CPR, c *bk.Contact) error {
	if err := central.CheckContact(cpr, c); err != nil {
		return err
	}
	return t.put(key("contact", t.cprHash(cpr)), c)
}

// unixKey orders times in keys; times before 1970 sort first.
func unixKey(at time.Time) []byte { return u64(uint64(max(at.UnixNano(), 0))) }

func (t *tx) noticeIndex(n *central.Notice, set bool) error {
	keys := [][]byte{key("notice-state", seg(string(n.State)), []byte(n.ID))}
	if n.State == central.NoticePending {
		keys = append(keys, key("notice-due", unixKey(n.NextAt), []byte(n.ID)))
	}
	for _, k := range keys {
		var err error
		if set {
			err = t.txn.Set(k, nil)
		} else {
			err = t.txn.Delete(k)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) AddNotice(n *central.Notice) (bool, error) {
	if err := central.CheckNotice(n); err != nil {
		return false, err
	}
	k := key("notice", []byte(n.ID))
	if ok, err := t.exists(k); err != nil || ok {
		return false, err
	}
	if err := t.put(k, n); err != nil {
		return false, err
	}
	return true, t.noticeIndex(n, true)
}

func (t *tx) PutNotice(n *central.Notice) error {
	if err := central.CheckNotice(n); err != nil {
		return err
	}
	old, err := t.Notice(n.ID)
	if err != nil {
		return err
	}
	if err := t.noticeIndex(old, false); err != nil {
		return err
	}
	if err := t.put(key("notice", []byte(n.ID)), n); err != nil {
		return err
	}
	return t.noticeIndex(n, true)
}

func (t *tx) Notice(id string) (*central.Notice, error) {
	var n central.Notice
	if err := t.get(key("notice", []byte(id)), &n, "notice"); err != nil {
		return nil, err
	}
	return &n, nil
}

// listIDs lists the ids that end the keys under prefix (after skip bytes
// of the suffix), while keep says so, at most limit.
func (t *tx) listIDs(prefix []byte, skip int, limit int, keep func(suffix []byte) bool) ([]string, error) {
	var ids []string
	err := t.scan(prefix, false, func(suffix, _ []byte) error {
		if limit > 0 && len(ids) >= limit || !keep(suffix) {
			return errStopScan
		}
		ids = append(ids, string(suffix[skip:]))
		return nil
	})
	if err == errStopScan {
		err = nil
	}
	return ids, err
}

func (t *tx) DueNotices(now time.Time, limit int) ([]*central.Notice, error) {
	until := unixKey(now)
	ids, err := t.listIDs(key("notice-due"), 8, limit, func(s []byte) bool { return string(s[:8]) <= string(until) })
	if err != nil {
		return nil, err
	}
	out := []*central.Notice{}
	for _, id := range ids {
		n, err := t.Notice(id)
		if err != nil {
			return nil, fmt.Errorf("badgerstore: notice index names a missing notice: %w", err)
		}
		out = append(out, n)
	}
	return out, nil
}

func (t *tx) NoticesIn(state central.NoticeState, after string, limit int) ([]*central.Notice, error) {
	prefix := key("notice-state", seg(string(state)))
	o := badger.DefaultIteratorOptions
	o.PrefetchValues = false
	o.Prefix = prefix
	it := t.txn.NewIterator(o)
	defer it.Close()
	out := []*central.Notice{}
	// Seek past after: a page costs its own length, not the pages before.
	for it.Seek(append(bytes.Clone(prefix), after...)); it.ValidForPrefix(prefix); it.Next() {
		id := string(it.Item().Key()[len(prefix):])
		if id <= after {
			continue
		}
		if limit > 0 && len(out) >= limit {
			break
		}
		n, err := t.Notice(id)
		if err != nil {
			return nil, fmt.Errorf("badgerstore: notice index names a missing notice: %w", err)
		}
		out = append(out, n)
	}
	return out, nil
}

func (t *tx) AddTimer(tm *central.Timer) error {
	if err := central.CheckTimer(tm); err != nil {
		return err
	}
	k := key("timer", []byte(tm.ID))
	if ok, err := t.exists(k); err != nil || ok {
		return err
	}
	if err := t.put(k, tm); err != nil {
		return err
	}
	return t.txn.Set(key("timer-due", unixKey(tm.DueAt), []byte(tm.ID)), nil)
}

func (t *tx) DueTimers(now time.Time, limit int) ([]*central.Timer, error) {
	until := unixKey(now)
	out := []*central.Timer{}
	ids, err := t.listIDs(key("timer-due"), 8, limit, func(s []byte) bool { return string(s[:8]) <= string(until) })
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		var tm central.Timer
		if err := t.get(key("timer", []byte(id)), &tm, "timer"); err != nil {
			return nil, fmt.Errorf("badgerstore: timer index names a missing timer: %w", err)
		}
		out = append(out, &tm)
	}
	return out, nil
}

func (t *tx) DeleteTimer(id string) error {
	k := key("timer", []byte(id))
	var tm central.Timer
	if err := t.get(k, &tm, "timer"); err != nil {
		return err
	}
	if err := t.txn.Delete(key("timer-due", unixKey(tm.DueAt), []byte(id))); err != nil {
		return err
	}
	return t.txn.Delete(k)
}
