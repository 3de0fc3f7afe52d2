package postgres

// Contact details, keyed by cpr_hash with no CPR number in a document, and
// the notice outbox (notices, notice_timers), which names only the
// delegation or consent a notice is about.

import (
	"fmt"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
)

func (t *tx) contact(h []byte) (*row, error) {
	return t.cached(keyOf(kContact, string(h)), "contact", `SELECT doc FROM contacts WHERE cpr_hash = $1`+t.lock(), h)
}

func (t *tx) Contact(cpr bk.CPR) (*bk.Contact, error) {
	r, err := t.contact(t.cprHash(cpr))
	if err != nil {
		return nil, err
	}
	var c bk.Contact
	if err := decodeRow(r, &c, "contact"); err != nil {
		return nil, err
	}
	return &c, nil
}

func (t *tx) PutContact(cpr bk.CPR, c *bk.Contact) error {
	if err := central.CheckContact(cpr, c); err != nil {
		return err
	}
	doc, err := encode(c, "contact")
	if err != nil {
		return err
	}
	h := t.cprHash(cpr)
	const ins = `INSERT INTO contacts (cpr_hash, doc) VALUES ($1, $2) ON CONFLICT (cpr_hash) DO NOTHING`
	if !t.write {
		_, err := t.exec("put contact", ins, h, doc) // refused: read only
		return err
	}
	r, err := t.contact(h)
	if err != nil {
		return err
	}
	t.write1(r, doc, "put contact", []any{ins, h, doc}, []any{`UPDATE contacts SET doc = $2 WHERE cpr_hash = $1`, h, doc})
	return nil
}

func (t *tx) AddNotice(n *central.Notice) (bool, error) {
	if err := central.CheckNotice(n); err != nil {
		return false, err
	}
	doc, err := encode(n, "notice")
	if err != nil {
		return false, err
	}
	k, err := t.exec("add notice", `INSERT INTO notices (id, state, next_at, doc) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
		n.ID, string(n.State), n.NextAt, doc)
	return k == 1, err
}

func (t *tx) PutNotice(n *central.Notice) error {
	if err := central.CheckNotice(n); err != nil {
		return err
	}
	doc, err := encode(n, "notice")
	if err != nil {
		return err
	}
	k, err := t.exec("put notice", `UPDATE notices SET state = $2, next_at = $3, doc = $4 WHERE id = $1`, n.ID, string(n.State), n.NextAt, doc)
	if err == nil && k == 0 {
		err = notFound("notice")
	}
	return err
}

func (t *tx) Notice(id string) (*central.Notice, error) {
	var n central.Notice
	if err := t.one(&n, "notice", `SELECT doc FROM notices WHERE id = $1`+t.lock(), id); err != nil {
		return nil, err
	}
	return &n, nil
}

// limitClause adds LIMIT $n when limit > 0.
func limitClause(q string, args []any, limit int) (string, []any) {
	if limit <= 0 {
		return q, args
	}
	args = append(args, limit)
	return q + fmt.Sprintf(` LIMIT $%d`, len(args)), args
}

func (t *tx) DueNotices(now time.Time, limit int) ([]*central.Notice, error) {
	q, args := limitClause(`SELECT doc FROM notices WHERE state = 'pending' AND next_at <= $1 ORDER BY next_at, id`, []any{now}, limit)
	return list[central.Notice](t, "notices", q+t.lock(), args...)
}

func (t *tx) NoticesIn(state central.NoticeState, after string, limit int) ([]*central.Notice, error) {
	q, args := limitClause(`SELECT doc FROM notices WHERE state = $1 AND id > $2 ORDER BY id`, []any{string(state), after}, limit)
	return list[central.Notice](t, "notices", q+t.lock(), args...)
}

func (t *tx) AddTimer(tm *central.Timer) error {
	if err := central.CheckTimer(tm); err != nil {
		return err
	}
	doc, err := encode(tm, "timer")
	if err != nil {
		return err
	}
	const ins = `INSERT INTO notice_timers (id, due_at, doc) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`
	if t.write {
		// Nothing to answer: queued with the push's other writes.
		t.enqueue(-1, "add timer", ins, tm.ID, tm.DueAt, doc)
		return nil
	}
	_, err = t.exec("add timer", ins, tm.ID, tm.DueAt, doc)
	return err
}

func (t *tx) DueTimers(now time.Time, limit int) ([]*central.Timer, error) {
	q, args := limitClause(`SELECT doc FROM notice_timers WHERE due_at <= $1 ORDER BY due_at, id`, []any{now}, limit)
	return list[central.Timer](t, "timers", q+t.lock(), args...)
}

func (t *tx) DeleteTimer(id string) error {
	k, err := t.exec("delete timer", `DELETE FROM notice_timers WHERE id = $1`, id)
	if err == nil && k == 0 {
		err = notFound("timer")
	}
	return err
}
